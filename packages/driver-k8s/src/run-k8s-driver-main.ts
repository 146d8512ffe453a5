import { runDriverMain } from '@shellgate/driver-sdk';

import { k8sDriverConfig } from './config.js';
import { createK8sDriver } from './create-k8s-driver.js';
import { DRIVER_VERSION } from './version.js';

/** The `shellgate-driver-k8s` binary: flags, config, socket, serve until a signal. */
export async function runK8sDriverMain(): Promise<void> {
  await runDriverMain({
    name: 'shellgate-driver-k8s',
    version: DRIVER_VERSION,
    description: 'Shellgate compute driver that runs each sandbox as a Kubernetes Pod (any vanilla cluster, no CRD)',
    config: k8sDriverConfig,
    createDriver: (config, logger) => createK8sDriver(config, logger),
  });
}
