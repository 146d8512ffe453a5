import { SandboxPhase } from '@shellgate/api';
import type { ExecTarget } from '../../attach/exec-errors.js';
import { sandboxNotReadyError } from '../../attach/exec-errors.js';
import { phaseName, phaseOf } from '../../output/sandbox-view.js';
import type { CommandContext } from '../command.js';

/**
 * Looks the sandbox up by name in the configured workspace (the exec RPCs take its id) and
 * refuses early, naming the phase, when it is not Ready.
 */
export async function resolveExecTarget(context: CommandContext, name: string): Promise<ExecTarget> {
  const { workspace } = context.config;
  const response = await context
    .connect()
    .call('getSandbox', { name, workspace }, { subject: { kind: 'sandbox', name, workspace }, signal: context.signal });
  const phase = phaseOf(response.sandbox);
  if (phase !== SandboxPhase.SANDBOX_PHASE_READY) throw sandboxNotReadyError(name, phaseName(phase));
  return { id: response.sandbox?.metadata?.id ?? '', name, phase: phaseName(phase) };
}
