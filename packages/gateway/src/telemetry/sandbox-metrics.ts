import { SandboxPhase } from '@shellgate/api';
import type { GatewayStore } from '../store/index.js';
import type { SandboxEventBus } from '../sandboxes/index.js';
import type { GatewayTelemetry, SandboxCount } from './load-telemetry.js';

/** `SANDBOX_PHASE_READY` → `Ready`, as `shellgate sandbox list` shows it. */
function phaseName(phase: SandboxPhase | undefined): string {
  const name = (SandboxPhase[phase ?? SandboxPhase.SANDBOX_PHASE_UNSPECIFIED] as string | undefined) ?? 'UNKNOWN';
  const bare = name.replace(/^SANDBOX_PHASE_/, '').toLowerCase();
  return bare.charAt(0).toUpperCase() + bare.slice(1);
}

/**
 * Feeds sandbox metrics: the by-phase-and-driver gauge reads the store at each scrape, and
 * each sandbox's first Ready records create→Ready. Returns the unsubscribe function.
 */
export function reportSandboxMetrics(telemetry: GatewayTelemetry, store: GatewayStore, events: SandboxEventBus): () => void {
  telemetry.observeSandboxes(async () => {
    const counts = new Map<string, SandboxCount>();
    for (const record of await store.listSandboxes()) {
      const phase = phaseName(record.sandbox.status?.phase);
      const key = `${phase}\0${record.driver}`;
      counts.set(key, { phase, driver: record.driver, count: (counts.get(key)?.count ?? 0) + 1 });
    }
    return [...counts.values()];
  });
  const readySeen = new Set<string>();
  return events.subscribeAll((change) => {
    if (change.kind === 'platformEvent') return;
    const id = change.sandbox.metadata?.id ?? '';
    if (change.kind === 'deleted') {
      readySeen.delete(id);
      return;
    }
    if (change.sandbox.status?.phase !== SandboxPhase.SANDBOX_PHASE_READY || readySeen.has(id)) return;
    readySeen.add(id);
    const seconds = (Date.now() - Number(change.sandbox.metadata?.createdAtMs ?? Date.now())) / 1000;
    void store.getSandbox(id).then(
      (record) => telemetry.recordCreateToReady(record?.driver ?? '', seconds),
      () => undefined,
    );
  });
}
