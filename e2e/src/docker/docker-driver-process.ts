// The real `shellgate-driver-docker` binary run by hand, for the Docker suites: the shared
// `DriverProcess` on the Docker engine, and the helpers Docker suites import from here.
import { DriverProcess } from '../container/driver-process.js';
import type { DriverConfigValue } from '../container/engine-under-test.js';
import { DOCKER_ENGINE } from './docker-engine.js';

export { isRunning } from '../container/driver-process.js';
export { defaultDriverConfig, e2eObjectName, toTomlLines } from '../container/e2e-driver-config.js';
export type { DriverConfigValue } from '../container/engine-under-test.js';
export { removeNetwork, removeNetworkAndContainers } from './docker-engine.js';

/** A Docker driver process on a private socket, with a connected client. */
export type DockerDriverProcess = DriverProcess;

export const DockerDriverProcess = {
  /** Starts the Docker driver with the default config plus `overrides`, and connects to it. */
  start: (label: string, overrides: Readonly<Record<string, DriverConfigValue>> = {}): Promise<DriverProcess> => DriverProcess.launch(DOCKER_ENGINE, label, overrides),
};
