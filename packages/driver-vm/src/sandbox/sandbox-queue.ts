/**
 * One queue per sandbox: stop, start, delete and the recording of a VM's exit for the same
 * sandbox run one after another (a delete never races the exit's state write), while
 * different sandboxes proceed in parallel. A failed task does not block the next.
 */
export class SandboxQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(sandboxId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(sandboxId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(task);
    this.#tails.set(sandboxId, next);
    void next
      .finally(() => {
        if (this.#tails.get(sandboxId) === next) this.#tails.delete(sandboxId);
      })
      .catch(() => undefined);
    return next;
  }
}
