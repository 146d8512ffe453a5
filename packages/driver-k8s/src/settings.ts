import type { SupervisorRuntime } from '@shellgate/driver-sdk';

import type { ImagePullPolicy } from './config.js';
import type { SupervisorTlsSecret } from './pod/supervisor-tls-secret.js';

/** The driver's resolved settings, in our own names (see `config.ts` for keys and defaults). */
export interface K8sDriverSettings {
  readonly namespace: string;
  readonly gatewayId: string;
  readonly defaultImage: string;
  readonly imagePullPolicy: ImagePullPolicy;
  /** ErrImagePull/ImagePullBackOff lasting this long become ImagePullFailed. */
  readonly imagePullFailureMs: number;
  /** `OPENSHELL_ENDPOINT` of every sandbox; empty only without a supervisor. */
  readonly gatewayEndpoint: string;
  /** Undefined: an emptyDir workspace. */
  readonly storageClass: string | undefined;
  readonly storageSize: string;
  readonly hasNetworkPolicy: boolean;
  readonly stopGraceSeconds: number;
  readonly dnsPolicy: 'ClusterFirst' | 'Default';
  /** The supervisor every sandbox runs; undefined: `inject_supervisor = false`. */
  readonly supervisor: SupervisorDelivery | undefined;
  /** `expose_token_to_agent`: the token file stays readable in sandboxes (the operator's opt-out). */
  readonly isTokenExposedToAgent: boolean;
  /** `supervisor_tls_secret`, as found at start; undefined: the supervisor trusts the system roots. */
  readonly supervisorTls: SupervisorTlsSecret | undefined;
}

/** How the supervisor reaches a pod: the runtime image an init container copies from, and how to start it. */
export interface SupervisorDelivery {
  readonly runtimeImage: string;
  /** The bundle's entrypoint with `{root}` at the in-sandbox mount path. */
  readonly runtime: SupervisorRuntime;
}
