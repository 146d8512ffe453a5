import type { ConformanceCheck } from './conformance-check.js';
import { contractChecks } from './contract-checks.js';
import { lifecycleChecks } from './lifecycle-checks.js';
import { restartCheck } from './restart-check.js';
import { watchChecks } from './watch-checks.js';

/** Every check, in run order; the restart comes last so it sees every sandbox made before. */
export const CONFORMANCE_CHECKS: readonly ConformanceCheck[] = [
  ...contractChecks,
  ...lifecycleChecks,
  ...watchChecks,
  restartCheck,
];

/** The names `--only` accepts. */
export const CONFORMANCE_CHECK_NAMES: readonly string[] = CONFORMANCE_CHECKS.map((check) => check.name);
