import { runDriverMain } from '@shellgate/driver-sdk';

import { vmDriverConfig } from './config.js';
import { createVmDriver } from './create-vm-driver.js';
import { DRIVER_VERSION } from './version.js';

/** The `shellgate-driver-vm` binary serving the driver: flags, config, socket, serve until a signal. */
export async function runVmDriverMain(argv: readonly string[]): Promise<void> {
  await runDriverMain({
    name: 'shellgate-driver-vm',
    version: DRIVER_VERSION,
    description: 'Shellgate compute driver that runs each sandbox as its own QEMU micro-VM (run `shellgate-driver-vm prepare` once first)',
    config: vmDriverConfig,
    argv,
    createDriver: (config, logger) => createVmDriver(config, logger),
  });
}
