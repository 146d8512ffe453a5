import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import type { Sandbox } from '@shellgate/api';
import { SandboxPhase, WatchSandboxRequest } from '@shellgate/api';
import { formatDuration } from '../../args/parse-duration.js';
import { CliError, isCliError } from '../../errors.js';
import { ExitCode } from '../../exit-code.js';
import { describeCondition, explainingCondition, phaseName, phaseOf } from '../../output/sandbox-view.js';
import type { CommandContext } from '../command.js';
import type { ProgressReporter } from './progress-reporter.js';

/** What `--wait` waits for. */
export type WaitGoal = 'ready' | 'stopped' | 'deleted';

const GOAL_TEXT: Readonly<Record<WaitGoal, string>> = { ready: 'become Ready', stopped: 'stop', deleted: 'be deleted' };

/** Pause before re-watching when the gateway ended the stream early, so we never spin. */
const REWATCH_DELAY_MS = 250;

export interface WaitOptions {
  /** The sandbox as last seen; its id is what WatchSandbox takes. */
  readonly sandbox: Sandbox;
  readonly goal: WaitGoal;
  readonly timeoutMs: number;
  readonly progress: ProgressReporter;
}

/**
 * Follows the sandbox with WatchSandbox (status and platform events) until it reaches the
 * goal. Resolves with the final sandbox (undefined once deleted); throws a CliError with
 * exit 1 when it goes to Error (naming the condition), 124 on timeout, 130 on Ctrl-C.
 */
export async function waitForSandbox(context: CommandContext, options: WaitOptions): Promise<Sandbox | undefined> {
  const client = context.connect();
  const name = options.sandbox.metadata?.name ?? '';
  const workspace = options.sandbox.metadata?.workspace || context.config.workspace;
  const subject = { kind: 'sandbox', name, workspace } as const;
  const startedAt = performance.now();
  const remainingMs = (): number => options.timeoutMs - (performance.now() - startedAt);
  let current = options.sandbox;
  options.progress.sandbox(current);

  for (;;) {
    if (isGoalReached(current, options.goal, name)) return current;
    if (remainingMs() <= 0) throw timeoutError(current, options);
    const request = WatchSandboxRequest.fromPartial({
      id: current.metadata?.id ?? '',
      followStatus: true,
      followEvents: true,
    });
    try {
      for await (const event of client.serverStream('watchSandbox', request, { subject, timeoutMs: remainingMs(), signal: context.signal })) {
        const payload = event.payload;
        if (payload?.$case === 'sandbox') {
          current = payload.sandbox;
          options.progress.sandbox(current);
          if (isGoalReached(current, options.goal, name)) return current;
        } else if (payload?.$case === 'event') {
          options.progress.event(payload.event);
        } else if (payload?.$case === 'warning') {
          options.progress.warning(payload.warning.message);
        }
      }
    } catch (error) {
      if (isCliError(error) && error.exitCode === ExitCode.NotFound && options.goal === 'deleted') {
        options.progress.deleted();
        return undefined;
      }
      if (isCliError(error) && error.exitCode === ExitCode.Timeout) throw timeoutError(current, options);
      throw error;
    }
    // The gateway ended the stream before the goal: look once, then watch again.
    try {
      const response = await client.call(
        'getSandbox',
        { name, workspace },
        { subject, signal: context.signal, timeoutMs: Math.max(1, Math.min(remainingMs(), context.config.callTimeoutMs)) },
      );
      current = response.sandbox ?? current;
      options.progress.sandbox(current);
    } catch (error) {
      if (isCliError(error) && error.exitCode === ExitCode.NotFound) {
        if (options.goal === 'deleted') {
          options.progress.deleted();
          return undefined;
        }
        throw new CliError(ExitCode.Failed, `sandbox "${name}" disappeared while waiting for it to ${GOAL_TEXT[options.goal]}`);
      }
      throw error;
    }
    if (!isGoalReached(current, options.goal, name)) await sleep(REWATCH_DELAY_MS, undefined, { signal: context.signal }).catch(() => undefined);
    if (context.signal.aborted) throw new CliError(ExitCode.Interrupted, 'interrupted');
  }
}

/** True when the goal is met; throws when the sandbox went to Error instead. */
function isGoalReached(sandbox: Sandbox, goal: WaitGoal, name: string): boolean {
  const phase = phaseOf(sandbox);
  if (phase === SandboxPhase.SANDBOX_PHASE_ERROR && goal !== 'deleted') {
    const reason = describeCondition(explainingCondition(sandbox));
    throw new CliError(ExitCode.Failed, `sandbox "${name}" failed: ${reason || 'phase Error'}`, {
      hint: `see 'shellgate sandbox get ${name} -o yaml' for its conditions`,
    });
  }
  if (goal === 'ready') return phase === SandboxPhase.SANDBOX_PHASE_READY;
  if (goal === 'stopped') return phase === SandboxPhase.SANDBOX_PHASE_STOPPED;
  return false;
}

function timeoutError(sandbox: Sandbox, options: WaitOptions): CliError {
  const name = sandbox.metadata?.name ?? '';
  return new CliError(
    ExitCode.Timeout,
    `timed out after ${formatDuration(options.timeoutMs)} waiting for sandbox "${name}" to ${GOAL_TEXT[options.goal]} (last phase: ${phaseName(phaseOf(sandbox))})`,
    { hint: `raise --timeout, or look at it with 'shellgate sandbox get ${name}'` },
  );
}
