import { runDriverMain } from '@shellgate/driver-sdk';

import { podmanDriverConfig } from './config.js';
import { createPodmanDriver } from './create-podman-driver.js';
import { DRIVER_VERSION } from './version.js';

/** The `shellgate-driver-podman` binary: flags, config, socket, serve until a signal. */
export async function runPodmanDriverMain(): Promise<void> {
  await runDriverMain({
    name: 'shellgate-driver-podman',
    version: DRIVER_VERSION,
    description: 'Shellgate compute driver that runs each sandbox as a Podman container (libpod API), rootful or rootless',
    config: podmanDriverConfig,
    createDriver: (config, logger) => createPodmanDriver(config, logger),
  });
}
