import { EngineHostNotFoundError, toContainerDriverSettings } from '@shellgate/container-engine';
import type { EngineHost } from '@shellgate/container-engine';
import { SandboxFileStore, currentDriverPlatform, prepareDriverRuntime } from '@shellgate/driver-sdk';
import type { DriverPlatform, Logger, SupervisorRuntime } from '@shellgate/driver-sdk';

import { NetworkMode } from './config.js';
import type { PodmanDriverConfig } from './config.js';
import { checkPodmanService } from './engine/check-podman-service.js';
import { LibpodApiEngine } from './engine/libpod-api-engine.js';
import type { PodmanInfo } from './engine/podman-engine.js';
import { detectPodmanHost } from './engine/podman-host.js';
import { PODMAN_NAMING } from './engine/podman-naming.js';
import { PodmanServiceError } from './errors.js';
import { PodmanDriver } from './podman-driver.js';
import type { PodmanDriverSettings, ResolvedNetworkMode } from './settings.js';

/** The platform facts `createPodmanDriver` reads; real values by default. */
export type PodmanDriverPlatform = DriverPlatform;

/** How long the start-up checks of the service may take. */
const SERVICE_CHECK_TIMEOUT_MS = 15_000;

/**
 * `network_mode = auto`: the managed bridge rootful; rootless, slirp4netns (a rootless
 * bridge lives in Podman's own network namespace, where the gateway cannot listen).
 * @throws PodmanServiceError for `bridge` against a rootless service.
 */
export function resolveNetworkMode(configured: string, info: PodmanInfo): ResolvedNetworkMode {
  if (configured === NetworkMode.Auto) return info.isRootless ? NetworkMode.Slirp4netns : NetworkMode.Bridge;
  if (configured === NetworkMode.Bridge && info.isRootless) {
    throw new PodmanServiceError('network_mode "bridge" needs a rootful Podman service; this one is rootless (its bridges live in its own network namespace, out of the gateway\'s reach)', {
      hint: 'set network_mode = "auto" or "slirp4netns" (or "pasta" on Podman 4.4+)',
    });
  }
  return configured as ResolvedNetworkMode;
}

/** Turns resolved config keys, the supervisor bundle and what the service said into the driver's settings. */
export function toPodmanDriverSettings(
  config: PodmanDriverConfig,
  context: { readonly supervisorRuntime: SupervisorRuntime | undefined; readonly info: PodmanInfo; readonly stateDir: string; readonly host: EngineHost },
): PodmanDriverSettings {
  const { info, stateDir, host, supervisorRuntime } = context;
  return {
    ...toContainerDriverSettings(config, { stateDir, host, supervisorRuntime, engineName: 'Podman' }),
    networkMode: resolveNetworkMode(config.network_mode, info),
    isRootless: info.isRootless,
    canEnforceLimits: !(info.isRootless && info.cgroupVersion === 'v1'),
  };
}

/** Finds the socket; none at all is the operator's setup at fault (exit 2), with the command that starts one. */
function findHost(config: PodmanDriverConfig, platform: PodmanDriverPlatform, logger: Logger): EngineHost {
  try {
    return detectPodmanHost({ configured: config.podman_socket, env: platform.env, logger });
  } catch (error) {
    if (!(error instanceof EngineHostNotFoundError)) throw error;
    throw new PodmanServiceError(error.message, { hint: PODMAN_NAMING.hostNotFoundHint, details: { attempts: error.attempts } });
  }
}

/**
 * Builds and starts the Podman driver from its config: finds the supervisor bundle
 * (`supervisor_runtime_dir`, else one built once from the installed @shellgate/supervisor and
 * cached in `state_dir`), the Podman socket (`podman_socket`, else the documented
 * auto-detect order), checks that a Podman 4.3+ API service answers on it, prepares
 * `state_dir`, and starts following Podman events.
 * @throws PodmanServiceError (exit 2) when no socket is found, nothing answers on it, it is
 *   not Podman, or Podman is too old.
 * @throws InvalidArgumentError when there is no usable supervisor bundle and injection is on (exit 2).
 */
export async function createPodmanDriver(
  config: PodmanDriverConfig,
  logger: Logger,
  platform: PodmanDriverPlatform = currentDriverPlatform(),
): Promise<PodmanDriver> {
  const { stateDir, supervisorRuntime } = await prepareDriverRuntime({ driverDirName: 'driver-podman', config, platform, logger, moduleUrl: import.meta.url });
  const host = findHost(config, platform, logger);
  const engine = new LibpodApiEngine(host);
  const info = await checkPodmanService(engine, AbortSignal.timeout(SERVICE_CHECK_TIMEOUT_MS));
  const settings = toPodmanDriverSettings(config, { supervisorRuntime, info, stateDir, host });
  logger.info('podman driver configured', {
    endpoint: host.endpoint,
    podmanVersion: info.version,
    rootless: info.isRootless,
    networkMode: settings.networkMode,
    stateDir,
    network: settings.networkName,
    gatewayId: settings.gatewayId,
    imagePullPolicy: settings.imagePullPolicy,
    supervisorRuntimeDir: supervisorRuntime?.hostDir ?? 'none',
    supervisorVersion: supervisorRuntime?.supervisorVersion ?? 'none',
  });
  if (!settings.canEnforceLimits) logger.warn('rootless Podman on cgroup v1 cannot enforce limits: pids_limit is not applied, and sandboxes with cpu or memory limits are refused');
  const driver = new PodmanDriver({ engine, store: new SandboxFileStore(stateDir), settings, logger });
  await driver.start();
  return driver;
}
