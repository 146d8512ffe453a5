// A test or benchmark process that started gateways, drivers or engine objects stops and
// removes them when it is told to stop (SIGTERM, SIGINT: a test runner's time bound, Ctrl-C,
// `kill`), instead of dying at once with them still running: `pnpm bench` stopped with SIGTERM
// left its gateway creating containers nobody deleted (issue 9).
import { constants } from 'node:os';

/** What the cleanups need of the process: its stop signals, its exit and its stderr. */
export interface TerminatingProcess {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
  readonly stderr: { write(text: string): unknown };
}

export interface TerminationCleanupsOptions {
  /** Default: the real `process`. */
  readonly process?: TerminatingProcess;
  /** How long all cleanups together may take before the process exits anyway. Default 60000. */
  readonly deadlineMs?: number;
}

/** One registered cleanup. */
export interface TerminationCleanupHandle {
  /**
   * Runs the cleanup now and unregisters it; the normal path calls this (a `finally`). A
   * cleanup runs at most once: a second call, or a signal meanwhile, shares the first run.
   */
  run(): Promise<void>;
  /** Unregisters the cleanup without running it (what it would clean up is gone already). */
  forget(): void;
}

type Cleanup = () => Promise<void> | void;

interface Entry {
  readonly cleanup: Cleanup;
  running?: Promise<void>;
}

const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
const DEFAULT_DEADLINE_MS = 60_000;

/**
 * Cleanups run newest first, one after another, when the process gets SIGTERM or SIGINT;
 * then it exits with 128 + the signal's number (143, 130), as a shell reports a process the
 * signal killed. A second signal exits at once. The signals are listened to only while a
 * cleanup is registered, so a process with nothing to clean up keeps node's default.
 */
export class TerminationCleanups {
  readonly #process: TerminatingProcess;
  readonly #deadlineMs: number;
  /** Registered and not yet run, oldest first. */
  readonly #pending: Entry[] = [];
  #signal: NodeJS.Signals | undefined;
  #deadline: NodeJS.Timeout | undefined;
  readonly #onSignal = (signal: NodeJS.Signals): void => void this.#terminate(signal);

  constructor(options: TerminationCleanupsOptions = {}) {
    this.#process = options.process ?? process;
    this.#deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
  }

  /** True once a stop signal came: a harness starts nothing new from then on. */
  get isTerminating(): boolean {
    return this.#signal !== undefined;
  }

  /** Registers `cleanup` to run on a stop signal. */
  add(cleanup: Cleanup): TerminationCleanupHandle {
    const entry: Entry = { cleanup };
    if (this.#pending.length === 0 && this.#signal === undefined) this.#listen(true);
    this.#pending.push(entry);
    return {
      run: () => this.#run(entry),
      forget: () => this.#unregister(entry),
    };
  }

  #run(entry: Entry): Promise<void> {
    this.#unregister(entry);
    entry.running ??= Promise.resolve().then(entry.cleanup);
    return entry.running;
  }

  #unregister(entry: Entry): void {
    const index = this.#pending.indexOf(entry);
    if (index !== -1) this.#pending.splice(index, 1);
    if (this.#pending.length === 0 && this.#signal === undefined) this.#listen(false);
  }

  #listen(on: boolean): void {
    for (const signal of STOP_SIGNALS) {
      if (on) this.#process.on(signal, this.#onSignal);
      else this.#process.off(signal, this.#onSignal);
    }
  }

  async #terminate(signal: NodeJS.Signals): Promise<void> {
    const code = 128 + (constants.signals[signal] ?? 0);
    if (this.#signal !== undefined) {
      this.#exit(code);
      return;
    }
    this.#signal = signal;
    this.#process.stderr.write(`${signal}: stopping what this process started (a second signal exits at once)\n`);
    this.#deadline = setTimeout(() => {
      this.#process.stderr.write(`cleanup still running after ${this.#deadlineMs} ms; exiting without it\n`);
      this.#exit(code);
    }, this.#deadlineMs);
    // Cleanups registered meanwhile (a start that was under way) are popped too.
    for (let entry = this.#pending.at(-1); entry !== undefined; entry = this.#pending.at(-1)) {
      try {
        await this.#run(entry);
      } catch (error) {
        this.#process.stderr.write(`cleanup failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
    this.#exit(code);
  }

  #exit(code: number): void {
    clearTimeout(this.#deadline);
    this.#process.exit(code);
  }
}

// One list per process, even when two copies of the SDK are loaded: two lists would each
// exit the process when their own cleanups are done, cutting the other's short.
const PROCESS_CLEANUPS_KEY = Symbol.for('shellgate.driver-sdk.termination-cleanups');
const processCleanups = ((globalThis as Record<symbol, TerminationCleanups | undefined>)[PROCESS_CLEANUPS_KEY] ??= new TerminationCleanups());

/**
 * Registers `cleanup` (stop a child process, delete engine objects) to run if this process
 * gets SIGTERM or SIGINT, before it exits 143 or 130. Call the handle's `run()` on the normal
 * path, so both paths share one run.
 */
export function addTerminationCleanup(cleanup: () => Promise<void> | void): TerminationCleanupHandle {
  return processCleanups.add(cleanup);
}

/** True once this process got SIGTERM or SIGINT with a cleanup registered. */
export function isTerminating(): boolean {
  return processCleanups.isTerminating;
}
