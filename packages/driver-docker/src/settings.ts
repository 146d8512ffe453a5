import type { ImagePullPolicy } from './config.js';
import type { SupervisorRuntime } from '@shellgate/driver-sdk';

/** The driver's resolved settings, in our own names (see `config.ts` for keys and defaults). */
export interface DockerDriverSettings {
  readonly defaultImage: string;
  readonly imagePullPolicy: ImagePullPolicy;
  readonly networkName: string;
  /** Overrides the bridge gateway IP as the callback address. */
  readonly hostGatewayIp: string | undefined;
  /** 0: no limit. */
  readonly pidsLimit: number;
  readonly stopTimeoutSeconds: number;
  readonly allowBindMounts: boolean;
  readonly gatewayPort: number;
  readonly gatewayScheme: 'http' | 'https';
  readonly gatewayId: string;
  /** The bundle every sandbox runs (`supervisor_runtime_dir`, or one built from the installed supervisor); undefined: `inject_supervisor = false`. */
  readonly supervisorRuntime: SupervisorRuntime | undefined;
  /** `expose_token_to_agent`: the token file stays readable in sandboxes (the operator's opt-out). */
  readonly isTokenExposedToAgent: boolean;
}
