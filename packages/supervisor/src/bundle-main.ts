#!/usr/bin/env node
// `shellgate-supervisor-bundle --out DIR [--node PATH] | --fingerprint`: builds the runtime bundle drivers mount into sandboxes.
import process from 'node:process';
import { parseArgs } from 'node:util';
import { buildRuntimeBundle, runtimeBundleFingerprint } from './bundle/runtime-bundle.js';
import { isSupervisorError, USAGE_EXIT_CODE } from './errors.js';

const USAGE = `Usage: shellgate-supervisor-bundle --out DIR [--node PATH]
       shellgate-supervisor-bundle --fingerprint [--node PATH]

Builds the supervisor runtime bundle: a directory any sandbox image can run the supervisor
from, even one without Node. Compute drivers mount it read-only (Docker: /opt/shellgate/runtime)
and start the argv in DIR/manifest.json, with {root} replaced by the mount path.

  --out DIR     where to write the bundle (e.g. /var/lib/shellgate/runtime); replaced safely if it exists
  --node PATH   the node binary to ship (default: the one running this, ${process.execPath})
  --fingerprint print the id of the bundle --out would build now (a hash of the supervisor
                and node); drivers cache the bundles they build under it
  --help        print this help

DIR then holds bin/node, lib/ (node's and pty.node's shared libraries plus the dynamic
loader), supervisor.cjs (the entrypoint), supervisor-main.cjs and its V8 code cache,
pty.node and manifest.json. The build ends with a self-test.
`;

function main(): number {
  let values: { out?: string; node?: string; fingerprint?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({ options: { out: { type: 'string' }, node: { type: 'string' }, fingerprint: { type: 'boolean' }, help: { type: 'boolean' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    process.stderr.write(`shellgate-supervisor-bundle: ${(error as Error).message}\n\n${USAGE}`);
    return USAGE_EXIT_CODE;
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.fingerprint === true) return printFingerprint(values.node);
  const outDir = values.out;
  if (outDir === undefined || outDir === '') {
    process.stderr.write(`shellgate-supervisor-bundle: --out DIR is required\n\n${USAGE}`);
    return USAGE_EXIT_CODE;
  }
  return reportErrors(() => buildRuntimeBundle({ outDir, ...(values.node !== undefined && { nodePath: values.node }), log: (line) => process.stdout.write(`${line}\n`) }));
}

function printFingerprint(nodePath: string | undefined): number {
  return reportErrors(() => process.stdout.write(`${runtimeBundleFingerprint(nodePath === undefined ? {} : { nodePath })}\n`));
}

/** Runs `work`; a SupervisorError becomes its message, hint and exit code. */
function reportErrors(work: () => unknown): number {
  try {
    work();
    return 0;
  } catch (error) {
    if (!isSupervisorError(error)) throw error;
    process.stderr.write(`shellgate-supervisor-bundle: ${error.message}\n${error.hint === undefined ? '' : `hint: ${error.hint}\n`}`);
    return error.exitCode;
  }
}

process.exitCode = main();
