import { InvalidArgumentError, validateDriverSandbox } from '@shellgate/driver-sdk';
import type { DriverSandbox } from '@shellgate/driver-sdk';

import { parseK8sDriverOptions } from './pod/driver-config.js';
import type { K8sDriverOptions } from './pod/driver-config.js';

/** A sandbox that passed every check, with its parsed driver_config. */
export interface ValidatedSandbox {
  readonly sandbox: DriverSandbox;
  readonly options: K8sDriverOptions;
}

/**
 * Everything ValidateSandboxCreate and CreateSandbox check: the SDK's common checks (id, name,
 * environment, labels, quantities, requests within limits; Kubernetes takes requests and
 * limits both) and `driver_config.k8s`. What only the cluster knows (a runtime class, a node
 * selector no node matches, a quota) shows later: as an API error on create, or as a condition.
 */
export function validateK8sSandbox(sandbox: DriverSandbox | undefined): ValidatedSandbox {
  if (sandbox === undefined) throw new InvalidArgumentError('request has no sandbox');
  validateDriverSandbox(sandbox);
  return { sandbox, options: parseK8sDriverOptions(sandbox.spec?.template?.driverConfig) };
}
