import type { BindMountPolicy, ImagePullPolicy } from '@shellgate/container-engine';
import type { SupervisorRuntime } from '@shellgate/driver-sdk';

/** The driver's resolved settings, in our own names (see `config.ts` for keys and defaults). */
export interface DockerDriverSettings {
  readonly defaultImage: string;
  readonly imagePullPolicy: ImagePullPolicy;
  readonly networkName: string;
  /** `allow_sandbox_to_sandbox`: the managed network keeps inter-container traffic on. */
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
}
