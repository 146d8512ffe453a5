import { runCli } from './run-cli.js';

/**
 * The `shellgate` process: the only place that touches signals, stdout/stderr errors and the
 * exit code. The binary (bin.ts) loads it from the bundle and calls it once.
 */
export async function runProcess(): Promise<void> {
  const controller = new AbortController();
  // First Ctrl-C cancels the call or wait (exit 130); a second one kills us the default way.
  process.once('SIGINT', () => controller.abort());
  // `shellgate sandbox list | head -1` closes our stdout early; that must not crash us (EPIPE).
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  process.exitCode = await runCli({
    argv: process.argv.slice(2),
    stdout: { write: (text) => void process.stdout.write(text) },
    stderr: { write: (text) => void process.stderr.write(text) },
    signal: controller.signal,
  });
}
