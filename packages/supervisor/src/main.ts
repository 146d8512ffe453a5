#!/usr/bin/env node
// The sandbox entrypoint: `shellgate-supervisor [--tty] [--user SPEC] [--keep-token-file] -- CMD...` (see --help).
import process from 'node:process';
import { parseSupervisorArgs, SUPERVISOR_USAGE } from './config/cli-args.js';
import { parseSupervisorConfig } from './config/supervisor-config.js';
import { isSupervisorError } from './errors.js';
import { runSupervisor } from './supervisor.js';
import { SUPERVISOR_VERSION } from './version.js';

async function main(args: readonly string[]): Promise<number> {
  try {
    const command = parseSupervisorArgs(args);
    if (command.kind === 'help') {
      process.stdout.write(SUPERVISOR_USAGE);
      return 0;
    }
    if (command.kind === 'version') {
      process.stdout.write(`${SUPERVISOR_VERSION}\n`);
      return 0;
    }
    return await runSupervisor(parseSupervisorConfig(process.env), command);
  } catch (error) {
    if (!isSupervisorError(error)) throw error;
    process.stderr.write(`shellgate-supervisor: ${error.message}\n${error.hint === undefined ? '' : `hint: ${error.hint}\n`}`);
    return error.exitCode;
  }
}

// process.exit, not exitCode: open grpc channels, timers and an inherited stdin would keep the process alive.
// No top-level await: the runtime bundle runs this file as CommonJS (see bundle/code-cache-loader.ts).
void main(process.argv.slice(2)).then((code) => process.exit(code));
