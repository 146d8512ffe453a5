import type { QmpEvent } from '../qemu/qmp-client.js';
import type { VmExit, VmHandle } from './running-vm.js';

/** What happened to a sandbox's VM; the watch adapter turns each into sandbox changes. */
export type VmTableEvent =
  | { readonly type: 'started'; readonly sandboxId: string }
  | { readonly type: 'exited'; readonly sandboxId: string; readonly exit: VmExit }
  | { readonly type: 'qmp'; readonly sandboxId: string; readonly event: QmpEvent };

/** Events kept for a subscriber that is not reading; past this the oldest are dropped and a gap is reported. */
const MAX_QUEUED_EVENTS = 1000;

type Subscriber = (event: VmTableEvent | 'gap') => void;

/**
 * The driver's process table: the running VM of each sandbox, and a stream of what happens
 * to them. An exit is handed to `onExit` (which records it in the sandbox's state file)
 * before subscribers hear of it, so a reader of the state never sees a VM gone but no exit.
 */
export class VmTable {
  readonly #vms = new Map<string, VmHandle>();
  /** Exits seen but not yet recorded by `onExit`, so a read in between still knows how the VM ended. */
  readonly #recording = new Map<string, VmExit>();
  readonly #subscribers = new Set<Subscriber>();
  readonly #onExit: (vm: VmHandle, exit: VmExit) => Promise<void>;

  constructor(onExit: (vm: VmHandle, exit: VmExit) => Promise<void>) {
    this.#onExit = onExit;
  }

  get(sandboxId: string): VmHandle | undefined {
    return this.#vms.get(sandboxId);
  }

  isRunning(sandboxId: string): boolean {
    return this.#vms.get(sandboxId)?.isRunning === true;
  }

  /** How a sandbox's VM just ended, while `onExit` is still recording it. */
  exitBeingRecorded(sandboxId: string): VmExit | undefined {
    return this.#recording.get(sandboxId);
  }

  /** Tracks a VM that just booted (or was found again after a restart) until it exits. */
  add(vm: VmHandle): void {
    this.#vms.set(vm.sandboxId, vm);
    this.#emit({ type: 'started', sandboxId: vm.sandboxId });
    void vm.exited.then(async (exit) => {
      this.#recording.set(vm.sandboxId, exit);
      if (this.#vms.get(vm.sandboxId) === vm) this.#vms.delete(vm.sandboxId);
      await this.#onExit(vm, exit).catch(() => undefined);
      if (this.#recording.get(vm.sandboxId) === exit) this.#recording.delete(vm.sandboxId);
      this.#emit({ type: 'exited', sandboxId: vm.sandboxId, exit });
    });
  }

  /** A QMP event of a sandbox's VM (forwarded by {@link VmHandle}'s `onEvent`). */
  publishQmpEvent(sandboxId: string, event: QmpEvent): void {
    this.#emit({ type: 'qmp', sandboxId, event });
  }

  /** Lets go of every VM without stopping it: VMs outlive the driver. */
  detachAll(): void {
    for (const vm of this.#vms.values()) vm.detach();
    this.#vms.clear();
  }

  /** Every event from now on, until `signal` aborts; a reader that falls far behind gets `gap`. */
  async *events(signal: AbortSignal): AsyncGenerator<VmTableEvent | 'gap'> {
    const queue: (VmTableEvent | 'gap')[] = [];
    let wake: (() => void) | undefined;
    const subscriber: Subscriber = (event) => {
      if (queue.length >= MAX_QUEUED_EVENTS) queue.splice(0, queue.length, 'gap');
      queue.push(event);
      wake?.();
    };
    const onAbort = (): void => wake?.();
    this.#subscribers.add(subscriber);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      this.#subscribers.delete(subscriber);
      signal.removeEventListener('abort', onAbort);
    }
  }

  #emit(event: VmTableEvent): void {
    for (const subscriber of this.#subscribers) subscriber(event);
  }
}
