/**
 * Env key a gateway sets on the drivers it spawns. With the value {@link PARENT_WATCH_STDIN}
 * the driver treats EOF on its stdin (a pipe the gateway holds open) as "my gateway is gone"
 * and drains: this is how spawned drivers never outlive a gateway killed with SIGKILL, where
 * no signal could reach them.
 */
export const PARENT_WATCH_ENV = 'SHELLGATE_PARENT_WATCH';
export const PARENT_WATCH_STDIN = 'stdin';

/** Calls `onParentGone` once when stdin ends, if the environment asks for it. */
export function watchParentThroughStdin(
  env: NodeJS.ProcessEnv,
  onParentGone: () => void,
  stdin: NodeJS.ReadableStream = process.stdin,
): void {
  if (env[PARENT_WATCH_ENV] !== PARENT_WATCH_STDIN) return;
  let isGone = false;
  const gone = (): void => {
    if (isGone) return;
    isGone = true;
    onParentGone();
  };
  stdin.on('end', gone);
  stdin.on('close', gone);
  stdin.on('error', gone);
  // Reading puts the stream in flowing mode; the gateway never writes, so nothing is buffered.
  stdin.resume();
}
