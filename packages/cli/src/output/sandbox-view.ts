import type { Sandbox, SandboxCondition } from '@shellgate/api';
import { SandboxPhase } from '@shellgate/api';
import { DRIVER_LABEL } from '../labels.js';
import { formatAge } from './format-age.js';
import { renderTable } from './render-table.js';

/** `SANDBOX_PHASE_PROVISIONING` → `Provisioning`; unknown numbers → `Unknown`. */
export function phaseName(phase: SandboxPhase | undefined): string {
  const name = phase === undefined ? undefined : (SandboxPhase[phase] as string | undefined);
  if (name === undefined || phase === SandboxPhase.UNRECOGNIZED) return 'Unknown';
  const bare = name.replace(/^SANDBOX_PHASE_/, '').toLowerCase();
  return bare.charAt(0).toUpperCase() + bare.slice(1);
}

/** The sandbox's phase, `Unspecified` when it has no status yet. */
export function phaseOf(sandbox: Sandbox | undefined): SandboxPhase {
  return sandbox?.status?.phase ?? SandboxPhase.SANDBOX_PHASE_UNSPECIFIED;
}

/** The driver running the sandbox: the driver label/annotation, else the single driver_config key. */
export function driverOf(sandbox: Sandbox): string | undefined {
  const fromMeta = sandbox.metadata?.labels[DRIVER_LABEL] ?? sandbox.metadata?.annotations[DRIVER_LABEL];
  if (fromMeta !== undefined && fromMeta !== '') return fromMeta;
  const config = sandbox.spec?.template?.driverConfig;
  const keys = config === undefined ? [] : Object.keys(config);
  return keys.length === 1 ? keys[0] : undefined;
}

/** The condition that explains the current phase: `Ready` first, else the newest with a reason. */
export function explainingCondition(sandbox: Sandbox | undefined): SandboxCondition | undefined {
  const conditions = sandbox?.status?.conditions ?? [];
  return conditions.find((condition) => condition.type === 'Ready') ?? conditions.findLast((condition) => condition.reason !== '');
}

/** `Reason: message`, or whichever half exists, for error and progress lines. */
export function describeCondition(condition: SandboxCondition | undefined): string {
  if (condition === undefined) return '';
  return [condition.reason, condition.message].filter((part) => part !== '').join(': ');
}

/**
 * The sandbox table: NAME, WORKSPACE, PHASE, DRIVER (only when some row has one), IMAGE, AGE.
 */
export function renderSandboxTable(sandboxes: readonly Sandbox[], nowMs: number): string {
  const drivers = sandboxes.map(driverOf);
  const hasDriver = drivers.some((driver) => driver !== undefined);
  const headers = ['NAME', 'WORKSPACE', 'PHASE', ...(hasDriver ? ['DRIVER'] : []), 'IMAGE', 'AGE'];
  const rows = sandboxes.map((sandbox, index) => [
    sandbox.metadata?.name ?? '',
    sandbox.metadata?.workspace ?? '',
    phaseName(phaseOf(sandbox)),
    ...(hasDriver ? [drivers[index] ?? '<none>'] : []),
    sandbox.spec?.template?.image || '<default>',
    formatAge(sandbox.metadata?.createdAtMs ?? 0, nowMs),
  ]);
  return renderTable(headers, rows);
}
