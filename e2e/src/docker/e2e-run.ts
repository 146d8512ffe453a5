// Names and labels of one e2e run (STYLE.md rule 20): unique names carry a short id of this
// test process, and everything that can carry a label carries the run label, which
// `scripts/engines/docker.sh sweep RUN` removes after the run.
import { randomBytes } from 'node:crypto';
import { SANDBOX_LABEL_KEYS } from '@shellgate/driver-sdk';

/** The driver's ownership labels: the SDK's vocabulary. */
export const MANAGED_BY_LABEL = SANDBOX_LABEL_KEYS.managedBy;
export const SANDBOX_ID_LABEL = SANDBOX_LABEL_KEYS.sandboxId;
export const GATEWAY_ID_LABEL = SANDBOX_LABEL_KEYS.gatewayId;
/** Our run label; the key docker.sh sweeps by. */
export const RUN_LABEL = 'dev.shellgate.e2e-run';
/** Prefix of every object name docker.sh may sweep by name. */
export const E2E_NAME_PREFIX = 'sg-e2e-';

/** The run label value: scripts/test.sh exports one per run; alone, a test process makes one up. */
export const E2E_RUN = process.env.SHELLGATE_E2E_RUN ?? `local-${randomBytes(4).toString('hex')}`;
/** Six hex characters unique to this test process. */
export const PROCESS_ID = randomBytes(3).toString('hex');

let counter = 0;

/**
 * A sandbox name unique to this process: `e<process id>-<label><n>`, within the gateway's
 * 19-character limit (label is cut to fit).
 */
export function uniqueSandboxName(label: string): string {
  counter += 1;
  const suffix = String(counter);
  return `e${PROCESS_ID}-${label.slice(0, 19 - 8 - suffix.length)}${suffix}`;
}

/** A sandbox id for driver-level tests, carrying the e2e prefix and run label. */
export function uniqueSandboxId(label: string): string {
  counter += 1;
  return `${E2E_NAME_PREFIX}${PROCESS_ID}-${label}-${counter}`;
}
