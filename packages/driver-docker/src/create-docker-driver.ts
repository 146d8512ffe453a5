import { homedir } from 'node:os';

import type { Logger } from '@shellgate/driver-sdk';

import type { DockerDriverConfig, ImagePullPolicy } from './config.js';
import { DockerDriver } from './docker-driver.js';
import { detectDockerHost } from './engine/docker-host.js';
import { DockerApiEngine } from './engine/docker-api-engine.js';
import type { DockerDriverSettings } from './settings.js';
import { resolveStateDir } from './state/resolve-state-dir.js';
import { SandboxStateStore } from './state/sandbox-state-store.js';
import { loadSupervisorRuntime } from './supervisor/supervisor-runtime.js';
import type { SupervisorRuntime } from './supervisor/supervisor-runtime.js';

/** The platform facts `createDockerDriver` reads; real values by default. */
export interface DockerDriverPlatform {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly uid: number;
  readonly homeDir: string;
}

/** Turns resolved config keys, and the bundle `supervisor_runtime_dir` names once loaded, into the driver's settings. */
export function toDockerDriverSettings(config: DockerDriverConfig, supervisorRuntime: SupervisorRuntime | undefined): DockerDriverSettings {
  return {
    defaultImage: config.default_image,
    imagePullPolicy: config.image_pull_policy as ImagePullPolicy,
    networkName: config.network_name,
    hostGatewayIp: config.host_gateway_ip === '' ? undefined : config.host_gateway_ip,
    pidsLimit: config.pids_limit,
    stopTimeoutSeconds: config.stop_timeout_seconds,
    allowBindMounts: config.allow_bind_mounts,
    gatewayPort: config.gateway_port,
    gatewayScheme: config.gateway_scheme === 'https' ? 'https' : 'http',
    gatewayId: config.gateway_id,
    supervisorRuntime,
  };
}

/**
 * Builds and starts the Docker driver from its config: finds the engine socket (the
 * configured `docker_host`, else the documented auto-detect order), checks the supervisor
 * bundle when `supervisor_runtime_dir` is set, prepares `state_dir`, and starts following
 * Docker events.
 * @throws EngineHostNotFoundError listing every socket tried when none is found.
 * @throws InvalidArgumentError when `supervisor_runtime_dir` is not a readable bundle (the binary exits 2).
 */
export async function createDockerDriver(
  config: DockerDriverConfig,
  logger: Logger,
  platform: DockerDriverPlatform = { env: process.env, uid: process.getuid?.() ?? -1, homeDir: homedir() },
): Promise<DockerDriver> {
  // First: a bad bundle is the operator's input at fault (exit 2), whatever the engine's state.
  const runtimeDir = config.supervisor_runtime_dir ?? '';
  const supervisorRuntime = runtimeDir === '' ? undefined : await loadSupervisorRuntime(runtimeDir);
  const host = detectDockerHost({ configured: config.docker_host, env: platform.env, homeDir: platform.homeDir, logger });
  const stateDir = resolveStateDir({ configured: config.state_dir, env: platform.env, uid: platform.uid, homeDir: platform.homeDir });
  const settings = toDockerDriverSettings(config, supervisorRuntime);
  logger.info('docker driver configured', {
    endpoint: host.endpoint,
    stateDir,
    network: settings.networkName,
    gatewayId: settings.gatewayId,
    imagePullPolicy: settings.imagePullPolicy,
    supervisorRuntimeDir: supervisorRuntime?.hostDir ?? 'none',
    supervisorVersion: supervisorRuntime?.supervisorVersion ?? 'none',
  });
  const driver = new DockerDriver({ engine: new DockerApiEngine(host), store: new SandboxStateStore(stateDir), settings, logger });
  await driver.start();
  return driver;
}
