#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { isShellgateError } from '../errors.js';
import { formatCheckResult, formatSummary } from './format-check-result.js';
import { formatConformanceHelp, parseConformanceArgs } from './parse-conformance-args.js';
import type { ConformanceArgs } from './parse-conformance-args.js';
import { parseDriverClaims } from './parse-driver-claims.js';
import type { DriverClaims } from './parse-driver-claims.js';
import { runConformance } from './run-conformance.js';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

async function main(argv: readonly string[]): Promise<number> {
  let args: ConformanceArgs;
  let claims: DriverClaims | undefined;
  try {
    args = parseConformanceArgs(argv);
    if (args.action === 'help') {
      process.stdout.write(formatConformanceHelp());
      return 0;
    }
    if (args.claimsFile !== undefined) claims = parseDriverClaims(await readClaims(args.claimsFile), args.claimsFile);
  } catch (error) {
    return usage(error);
  }
  try {
    const report = await runConformance({
      socketPath: args.socketPath,
      image: args.image,
      claims,
      restartCommand: args.restartCommand,
      timeoutMs: args.timeoutMs,
      only: args.only,
      onResult: (result) => process.stdout.write(`${formatCheckResult(result)}\n`),
    });
    process.stdout.write(`${formatSummary(report)}\n`);
    return report.failed > 0 ? EXIT_FAILED : 0;
  } catch (error) {
    // runConformance only throws for bad options (an unknown --only name).
    return usage(error);
  }
}

async function readClaims(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read claims file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

function usage(error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  const hint = isShellgateError(error) && error.hint !== undefined ? `\nhint: ${error.hint}` : '';
  process.stderr.write(`shellgate-driver-conformance: ${message}${hint}\n`);
  return EXIT_USAGE;
}

process.exitCode = await main(process.argv.slice(2));
