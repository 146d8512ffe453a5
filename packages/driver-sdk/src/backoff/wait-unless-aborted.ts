/**
 * Resolves when `task` settles (with its outcome), or rejects with the signal's reason when
 * `signal` aborts first; the task itself keeps running. For an RPC that waits on background
 * work it does not own (a Stop waiting for the sandbox's in-flight create) and must still
 * end when its caller goes away.
 */
export async function waitUnlessAborted(task: Promise<void>, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([task, aborted]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
  }
}
