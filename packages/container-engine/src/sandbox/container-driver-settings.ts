import { toSupervisorTls } from '@shellgate/driver-sdk';
import type { SupervisorRuntime, SupervisorTlsConfig, SupervisorTlsFiles } from '@shellgate/driver-sdk';

import type { BindMountPolicy, DriverPlace } from './bind-mounts.js';
import { toBindMountPolicy } from './bind-mounts.js';
import type { ImagePullPolicy } from './container-sandbox-engine.js';

/** The settings every container driver has, resolved from its config keys of the same names (see each driver's `config.ts` for keys and defaults). */
export interface ContainerDriverSettings {
  readonly defaultImage: string;
  readonly imagePullPolicy: ImagePullPolicy;
  readonly networkName: string;
  /** `allow_sandbox_to_sandbox`: sandboxes on the driver's network may reach each other. */
  readonly allowSandboxToSandbox: boolean;
  /** Overrides the bridge gateway IP as the callback address. */
  readonly hostGatewayIp: string | undefined;
  /** 0: no limit. */
  readonly pidsLimit: number;
  readonly stopTimeoutSeconds: number;
  readonly allowBindMounts: boolean;
  /** What an allowed bind mount's source is checked against. */
  readonly bindMounts: BindMountPolicy;
  readonly gatewayPort: number;
  readonly gatewayScheme: 'http' | 'https';
  readonly gatewayId: string;
  /** The bundle every sandbox runs (`supervisor_runtime_dir`, or one built from the installed supervisor); undefined: `inject_supervisor = false`. */
  readonly supervisorRuntime: SupervisorRuntime | undefined;
  /** `expose_token_to_agent`: the token file stays readable in sandboxes (the operator's opt-out). */
  readonly isTokenExposedToAgent: boolean;
  /** `supervisor_tls_*`: what the supervisor needs to reach an https gateway; undefined: the system roots. */
  readonly supervisorTls: SupervisorTlsFiles | undefined;
}

/**
 * The config keys behind {@link ContainerDriverSettings}, as `defineConfig` resolves them
 * (each driver declares them, with its own env names).
 */
export type ContainerDriverConfig = Readonly<
  Record<'default_image' | 'image_pull_policy' | 'network_name' | 'gateway_scheme' | 'gateway_id', string> &
    Record<'host_gateway_ip' | 'gateway_state_dir' | 'supervisor_runtime_dir', string | undefined> &
    Record<'pids_limit' | 'stop_timeout_seconds' | 'gateway_port', number> &
    Record<'allow_sandbox_to_sandbox' | 'allow_bind_mounts' | 'expose_token_to_agent', boolean>
> &
  SupervisorTlsConfig;

/** Where the driver found its state, bundle and engine; the rest of its {@link DriverPlace} comes from the config. */
export type ContainerDriverPlace = Omit<DriverPlace, 'gatewayStateDir' | 'configuredRuntimeDir'>;

/**
 * Turns the shared config keys, and where the driver found its state, bundle and engine, into
 * the shared settings. `image_pull_policy` is taken as checked by its key's `choices`.
 * @throws InvalidArgumentError for unusable `supervisor_tls_*` files (see toSupervisorTls).
 */
export function toContainerDriverSettings(config: ContainerDriverConfig, place: ContainerDriverPlace): ContainerDriverSettings {
  const gatewayScheme = config.gateway_scheme === 'https' ? 'https' : 'http';
  return {
    defaultImage: config.default_image,
    imagePullPolicy: config.image_pull_policy as ImagePullPolicy,
    networkName: config.network_name,
    allowSandboxToSandbox: config.allow_sandbox_to_sandbox,
    hostGatewayIp: config.host_gateway_ip === '' ? undefined : config.host_gateway_ip,
    pidsLimit: config.pids_limit,
    stopTimeoutSeconds: config.stop_timeout_seconds,
    allowBindMounts: config.allow_bind_mounts,
    bindMounts: toBindMountPolicy({ ...place, gatewayStateDir: config.gateway_state_dir, configuredRuntimeDir: config.supervisor_runtime_dir }),
    gatewayPort: config.gateway_port,
    gatewayScheme,
    gatewayId: config.gateway_id,
    supervisorRuntime: place.supervisorRuntime,
    isTokenExposedToAgent: config.expose_token_to_agent,
    supervisorTls: toSupervisorTls(config, gatewayScheme),
  };
}
