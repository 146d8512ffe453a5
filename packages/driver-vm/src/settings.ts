import type { SupervisorRuntime, SupervisorTlsFiles } from '@shellgate/driver-sdk';

import type { AcceleratorSetting } from './config.js';
import type { ImageEngine } from './image/image-source.js';
import type { KernelChoice } from './kernel/kernel-store.js';

/** The driver's resolved settings, in our own names (see `config.ts` for keys and defaults). */
export interface VmDriverSettings {
  readonly defaultImage: string;
  readonly imageEngine: ImageEngine;
  /** Archives (`docker-archive:`/`oci-archive:` images) are read only under this directory; undefined: none. */
  readonly imageArchiveDir: string | undefined;
  readonly stateDir: string;
  readonly cacheDir: string;
  readonly runDir: string;
  readonly kernel: KernelChoice;
  readonly kernelPackage: string;
  readonly kernelDeb: string | undefined;
  readonly accelerator: AcceleratorSetting;
  readonly qemuBinary: string;
  readonly busyboxPath: string;
  readonly defaultVcpus: number;
  readonly maxVcpus: number;
  readonly defaultMemoryMib: number;
  readonly maxMemoryMib: number;
  readonly diskSizeMib: number;
  readonly maxDiskSizeMib: number;
  readonly isOutboundAllowed: boolean;
  readonly callbackAddress: string;
  readonly stopTimeoutSeconds: number;
  /** First uid/gid of the per-VM range; undefined: QEMU runs as the driver's user. */
  readonly qemuUidBase: number | undefined;
  readonly gatewayPort: number;
  readonly gatewayScheme: 'http' | 'https';
  /** `supervisor_tls_*`: host files the guest's supervisor gets for an https gateway; undefined: the system roots. */
  readonly supervisorTls: SupervisorTlsFiles | undefined;
  readonly gatewayId: string;
  /** `expose_token_to_agent`: the supervisor leaves the token file as delivered. */
  readonly isTokenExposedToAgent: boolean;
  /** The bundle every sandbox runs; undefined: `inject_supervisor = false`. */
  readonly supervisorRuntime: SupervisorRuntime | undefined;
}
