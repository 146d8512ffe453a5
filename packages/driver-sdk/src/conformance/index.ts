/**
 * The compute-driver conformance kit: the contract suite behind
 * `shellgate-driver-conformance --socket PATH`, also callable from a driver's own tests.
 *
 * ```ts
 * const report = await runConformance({ socketPath, restartCommand: 'systemctl restart my-driver' });
 * if (report.failed > 0) process.exitCode = 1;
 * ```
 */
export { CONFORMANCE_CHECK_NAMES } from './conformance-checks.js';
export { formatCheckResult, formatSummary } from './format-check-result.js';
export { formatConformanceHelp, parseConformanceArgs } from './parse-conformance-args.js';
export type { ConformanceArgs } from './parse-conformance-args.js';
export { CLAIMS_FILE_HELP, DEFAULT_DRIVER_CLAIMS, parseDriverClaims } from './parse-driver-claims.js';
export type { DriverClaims } from './parse-driver-claims.js';
export { runConformance } from './run-conformance.js';
export type { CheckResult, CheckStatus, ConformanceReport, RunConformanceOptions } from './run-conformance.js';
