import { ErrorCode, ShellgateError } from '../errors.js';
import { systemTimers } from '../watch/index.js';
import type { PollingTimers } from '../watch/index.js';
import type { FakeDriverRpc, ScriptedResponse } from './fake-driver-script.js';

/** The sandbox a call concerns, as far as the request names it. */
export interface ScriptTarget {
  readonly sandboxId?: string;
  readonly sandboxName?: string;
}

interface ArmedResponse {
  readonly response: ScriptedResponse;
  /** Applications left; undefined means unlimited. */
  remaining: number | undefined;
}

/**
 * The `[[responses]]` part of a fake driver script at run time: the first entry matching
 * an RPC and its sandbox delays the call and/or fails it, and counts down its `times`.
 */
export class ScriptedResponses {
  readonly #armed: ArmedResponse[];
  readonly #timers: PollingTimers;

  constructor(responses: readonly ScriptedResponse[], timers: PollingTimers = systemTimers) {
    this.#armed = responses.map((response) => ({ response, remaining: response.times }));
    this.#timers = timers;
  }

  /**
   * Applies the first matching entry: waits its delay (cut short by `signal`), then throws
   * its error as a ShellgateError. Resolves at once when nothing matches.
   */
  async apply(rpc: FakeDriverRpc, target: ScriptTarget, signal?: AbortSignal): Promise<void> {
    const armed = this.#armed.find((candidate) => matches(candidate, rpc, target));
    if (armed === undefined) return;
    if (armed.remaining !== undefined) armed.remaining -= 1;
    const { response } = armed;
    if (response.delayMs > 0) await this.#sleep(response.delayMs, signal);
    if (response.error === undefined) return;
    throw new ShellgateError(response.error, response.message || `scripted ${response.error} for ${rpc}`, {
      details: { rpc, scripted: true, ...target },
    });
  }

  #sleep(delayMs: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.#timers.clearTimeout(handle);
        reject(new ShellgateError(ErrorCode.Cancelled, 'call cancelled during its scripted delay'));
      };
      const handle = this.#timers.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, delayMs);
      if (signal?.aborted === true) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function matches(armed: ArmedResponse, rpc: FakeDriverRpc, target: ScriptTarget): boolean {
  const { response } = armed;
  if (response.rpc !== rpc || armed.remaining === 0) return false;
  if (response.matchName !== undefined && response.matchName !== target.sandboxName) return false;
  return response.matchId === undefined || response.matchId === target.sandboxId;
}
