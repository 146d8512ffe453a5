import { toContainerDriverSettings } from '@shellgate/container-engine';
import type { EngineHost } from '@shellgate/container-engine';
import { currentDriverPlatform, prepareDriverRuntime } from '@shellgate/driver-sdk';
import type { DriverPlatform, Logger, SupervisorRuntime } from '@shellgate/driver-sdk';

import type { DockerDriverConfig } from './config.js';
import { DockerDriver } from './docker-driver.js';
import { detectDockerHost } from './engine/docker-host.js';
import { DockerApiEngine } from './engine/docker-api-engine.js';
import type { DockerDriverSettings } from './settings.js';
import { createSandboxStateStore } from './state.js';

/** The platform facts `createDockerDriver` reads; real values by default. */
export type DockerDriverPlatform = DriverPlatform;

/** Where the driver runs from: what bind mounts must not reach. */
export interface DockerDriverPlace {
  readonly stateDir: string;
  readonly host: EngineHost;
  readonly supervisorRuntime: SupervisorRuntime | undefined;
}

/** Turns resolved config keys, and where the driver found its state, bundle and engine, into the driver's settings. */
export function toDockerDriverSettings(config: DockerDriverConfig, place: DockerDriverPlace): DockerDriverSettings {
  return toContainerDriverSettings(config, { ...place, engineName: 'Docker' });
}

/**
 * Builds and starts the Docker driver from its config: finds the supervisor bundle
 * (`supervisor_runtime_dir`, else one built once from the installed @shellgate/supervisor and
 * cached in `state_dir`), the engine socket (the configured `docker_host`, else the
 * documented auto-detect order), prepares `state_dir`, and starts following Docker events.
 * @throws EngineHostNotFoundError listing every socket tried when none is found.
 * @throws InvalidArgumentError when there is no usable supervisor bundle and injection is on (the binary exits 2).
 */
export async function createDockerDriver(
  config: DockerDriverConfig,
  logger: Logger,
  platform: DockerDriverPlatform = currentDriverPlatform(),
): Promise<DockerDriver> {
  const { stateDir, supervisorRuntime } = await prepareDriverRuntime({ driverDirName: 'driver-docker', config, platform, logger, moduleUrl: import.meta.url });
  const host = detectDockerHost({ configured: config.docker_host, env: platform.env, homeDir: platform.homeDir, logger });
  const settings = toDockerDriverSettings(config, { stateDir, host, supervisorRuntime });
  logger.info('docker driver configured', {
    endpoint: host.endpoint,
    stateDir,
    network: settings.networkName,
    gatewayId: settings.gatewayId,
    imagePullPolicy: settings.imagePullPolicy,
    supervisorRuntimeDir: supervisorRuntime?.hostDir ?? 'none',
    supervisorVersion: supervisorRuntime?.supervisorVersion ?? 'none',
  });
  const driver = new DockerDriver({ engine: new DockerApiEngine(host), store: createSandboxStateStore(stateDir), settings, logger });
  await driver.start();
  return driver;
}
