import type { BindMountPolicy, ImagePullPolicy } from '@shellgate/container-engine';
import type { SupervisorRuntime } from '@shellgate/driver-sdk';

/** How sandboxes are networked, once `auto` is resolved against the service. */
export type ResolvedNetworkMode = 'bridge' | 'slirp4netns' | 'pasta';

/** The driver's resolved settings, in our own names (see `config.ts` for keys and defaults). */
export interface PodmanDriverSettings {
  readonly defaultImage: string;
  readonly imagePullPolicy: ImagePullPolicy;
  readonly networkMode: ResolvedNetworkMode;
  readonly networkName: string;
  /** Overrides the bridge gateway IP as the callback address. */
  readonly hostGatewayIp: string | undefined;
  /** `allow_sandbox_to_sandbox`: sandboxes on the bridge may reach each other; false: every bridge port is isolated. */
  readonly allowSandboxToSandbox: boolean;
  /** 0: no limit. */
  readonly pidsLimit: number;
  readonly stopTimeoutSeconds: number;
  readonly allowBindMounts: boolean;
  /** What an allowed bind mount's source is checked against. */
  readonly bindMounts: BindMountPolicy;
  readonly gatewayPort: number;
  readonly gatewayScheme: 'http' | 'https';
  readonly gatewayId: string;
  /** `expose_token_to_agent`: the token file stays readable in sandboxes (the operator's opt-out). */
  readonly isTokenExposedToAgent: boolean;
  /** The bundle every sandbox runs (`supervisor_runtime_dir`, or one built from the installed supervisor); undefined: `inject_supervisor = false`. */
  readonly supervisorRuntime: SupervisorRuntime | undefined;
  /** The Podman service runs as an unprivileged user. */
  readonly isRootless: boolean;
  /** False for rootless Podman on cgroup v1, which ignores cpu, memory and pids limits. */
  readonly canEnforceLimits: boolean;
}
