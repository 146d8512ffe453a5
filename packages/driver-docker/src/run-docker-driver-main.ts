import { runDriverMain } from '@shellgate/driver-sdk';

import { dockerDriverConfig } from './config.js';
import { createDockerDriver } from './create-docker-driver.js';
import { DRIVER_VERSION } from './version.js';

/** The `shellgate-driver-docker` binary: flags, config, socket, serve until a signal. */
export async function runDockerDriverMain(): Promise<void> {
  await runDriverMain({
    name: 'shellgate-driver-docker',
    version: DRIVER_VERSION,
    description: 'Shellgate compute driver that runs each sandbox as a Docker container',
    config: dockerDriverConfig,
    createDriver: (config, logger) => createDockerDriver(config, logger),
  });
}
