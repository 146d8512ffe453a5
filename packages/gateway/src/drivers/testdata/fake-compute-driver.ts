/**
 * A tiny compute driver for the gateway's process tests, built on raw grpc-js (not the
 * SDK's driver main). Its behaviour comes from its own config table, which also proves
 * the gateway passes that table through: mode = "ok" | "exit" | "never-ready" |
 * "empty-name" | "ignore-sigterm"; record_file = path to write what it was given.
 */
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import type { sendUnaryData } from '@grpc/grpc-js';
import { parse } from 'smol-toml';
import { ComputeDriverService } from '@shellgate/driver-sdk';

const { values } = parseArgs({
  options: { 'bind-socket': { type: 'string' }, config: { type: 'string' }, 'log-level': { type: 'string' } },
  allowPositionals: true,
});
const socketPath = values['bind-socket'] ?? '';
const configPath = values.config ?? '';
const config = parse(readFileSync(configPath, 'utf8'));
const mode = typeof config.mode === 'string' ? config.mode : 'ok';

if (typeof config.record_file === 'string') {
  writeFileSync(
    config.record_file,
    JSON.stringify({
      argv: process.argv.slice(2),
      config,
      configMode: statSync(configPath).mode & 0o777,
      runDirMode: statSync(configPath.replace(/\/config\.toml$/, '')).mode & 0o777,
      parentWatch: process.env.SHELLGATE_PARENT_WATCH,
      pid: process.pid,
    }),
  );
}

// What the SDK's driver main does with SHELLGATE_PARENT_WATCH=stdin.
if (process.env.SHELLGATE_PARENT_WATCH === 'stdin') {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

process.stderr.write(`${JSON.stringify({ level: 'info', message: 'fake driver starting', mode })}\n`);
process.stderr.write('WARN plain text warning line\n');

if (mode === 'exit') {
  process.stderr.write('ERROR: cannot reach engine at /nonexistent/engine.sock\n');
  process.exit(3);
}
if (mode === 'ignore-sigterm') process.on('SIGTERM', () => process.stderr.write('ignoring SIGTERM\n'));
else process.on('SIGTERM', () => process.exit(0));

if (mode !== 'never-ready') {
  const server = new Server();
  const handlers = {
    getCapabilities: (_call: unknown, callback: sendUnaryData<unknown>) =>
      callback(null, {
        driverName: mode === 'empty-name' ? '' : 'fake',
        driverVersion: '0.0.1',
        defaultImage: 'busybox',
        gatewayManagesLifecycle: false,
      }),
    listSandboxes: (_call: unknown, callback: sendUnaryData<unknown>) => callback(null, { sandboxes: [] }),
  };
  server.addService(ComputeDriverService, handlers);
  server.bindAsync(`unix://${socketPath}`, ServerCredentials.createInsecure(), (error) => {
    if (error !== null) {
      process.stderr.write(`ERROR bind failed: ${error.message}\n`);
      process.exit(1);
    }
  });
} else {
  setInterval(() => undefined, 60_000);
}
