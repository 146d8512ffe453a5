import type { ConformanceCheck } from './conformance-check.js';
import { contractChecks } from './contract-checks.js';
import { lifecycleChecks } from './lifecycle-checks.js';
import { gatewayReconnectCheck } from './reconnect-check.js';
import { restartCheck } from './restart-check.js';
import { tokenNotEchoedCheck } from './token-check.js';
import { watchChecks } from './watch-checks.js';

/**
 * Every check, in run order. The gateway reconnect and the driver restart come last, so
 * they see every sandbox made before them.
 */
export const CONFORMANCE_CHECKS: readonly ConformanceCheck[] = [
  ...contractChecks,
  ...lifecycleChecks,
  ...watchChecks,
  tokenNotEchoedCheck,
  gatewayReconnectCheck,
  restartCheck,
];

/** The names `--only` accepts. */
export const CONFORMANCE_CHECK_NAMES: readonly string[] = CONFORMANCE_CHECKS.map((check) => check.name);
