/** A create running in the background: its task, and how to cancel it. */
export interface InFlightCreate {
  readonly task: Promise<void>;
  readonly abort: AbortController;
}

/**
 * A driver's close() for its background creates: waits up to `graceMs` for every task in
 * `pending`, then aborts each record still in the map (one that finished meanwhile is gone
 * from it, or ignores the abort). A create cut short by shutdown fails like any other and is
 * seen again on the next start.
 */
export async function drainInFlightCreates(pending: ReadonlyMap<string, InFlightCreate>, graceMs: number): Promise<void> {
  const tasks = [...pending.values()].map((create) => create.task);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([Promise.all(tasks), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
  clearTimeout(timer);
  for (const create of pending.values()) create.abort.abort();
}
