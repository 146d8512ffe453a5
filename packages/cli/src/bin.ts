#!/usr/bin/env node
import { runCli } from './run-cli.js';

// The entry of the `shellgate` binary. The build bundles it with its dependencies into
// dist/main.js (packages/cli/scripts/bundle-bin.mjs), the file package.json names as `bin`.
// The binary is the only place that touches the process: streams, signals, exit code.
const controller = new AbortController();
// First Ctrl-C cancels the call or wait (exit 130); a second one kills us the default way.
process.once('SIGINT', () => controller.abort());
// `shellgate sandbox list | head -1` closes our stdout early; that must not crash us (EPIPE).
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);
const exitCode = await runCli({
  argv: process.argv.slice(2),
  stdout: { write: (text) => void process.stdout.write(text) },
  stderr: { write: (text) => void process.stderr.write(text) },
  signal: controller.signal,
});
process.exitCode = exitCode;
