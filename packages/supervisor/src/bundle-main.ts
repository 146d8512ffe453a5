#!/usr/bin/env node
// `shellgate-supervisor-bundle --out DIR [--node PATH]`: builds the runtime bundle drivers mount into sandboxes.
import process from 'node:process';
import { parseArgs } from 'node:util';
import { buildRuntimeBundle } from './bundle/runtime-bundle.js';
import { isSupervisorError, USAGE_EXIT_CODE } from './errors.js';

const USAGE = `Usage: shellgate-supervisor-bundle --out DIR [--node PATH]

Builds the supervisor runtime bundle: a directory any sandbox image can run the supervisor
from, even one without Node. Compute drivers mount it read-only (Docker: /opt/shellgate/runtime)
and start the argv in DIR/manifest.json, with {root} replaced by the mount path.

  --out DIR     where to write the bundle (e.g. /var/lib/shellgate/runtime); replaced safely if it exists
  --node PATH   the node binary to ship (default: the one running this, ${process.execPath})
  --help        print this help

DIR then holds bin/node, lib/ (node's and pty.node's shared libraries plus the dynamic
loader), supervisor.mjs, pty.node and manifest.json. The build ends with a self-test.
`;

function main(): number {
  let values: { out?: string; node?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { out: { type: 'string' }, node: { type: 'string' }, help: { type: 'boolean' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    process.stderr.write(`shellgate-supervisor-bundle: ${(error as Error).message}\n\n${USAGE}`);
    return USAGE_EXIT_CODE;
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.out === undefined || values.out === '') {
    process.stderr.write(`shellgate-supervisor-bundle: --out DIR is required\n\n${USAGE}`);
    return USAGE_EXIT_CODE;
  }
  try {
    buildRuntimeBundle({ outDir: values.out, ...(values.node !== undefined && { nodePath: values.node }), log: (line) => process.stdout.write(`${line}\n`) });
    return 0;
  } catch (error) {
    if (!isSupervisorError(error)) throw error;
    process.stderr.write(`shellgate-supervisor-bundle: ${error.message}\n${error.hint === undefined ? '' : `hint: ${error.hint}\n`}`);
    return error.exitCode;
  }
}

process.exitCode = main();
