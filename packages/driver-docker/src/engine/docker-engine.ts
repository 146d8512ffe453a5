/**
 * The narrow seam between the driver and a Docker engine (STYLE.md rules 2 and 15): only
 * the handful of operations the driver uses, in our own types. `DockerApiEngine` is the one
 * implementation that talks to dockerd; unit tests use a fake, so they need no engine.
 * Every method takes an AbortSignal. Failures are thrown as the engine reports them and are
 * mapped to driver errors by `toDriverError` at the call site.
 */

import type { ContainerSandboxEngine, MountSpec, NetworkEngine, NetworkInfo } from '@shellgate/container-engine';

// The payload types Docker shares with Podman, and their decoders, live in the shared
// package; re-exported so the driver names its engine seam in one module.
export { ContainerState } from '@shellgate/container-engine';
export type { ContainerEvent, ContainerInfo, ImageInfo, MountSpec, NetworkCreateSpec, NetworkInfo, PullProgress } from '@shellgate/container-engine';

/** A device request: GPUs by count, or CDI devices by name. */
export type DeviceRequestSpec =
  | { readonly kind: 'gpu'; readonly count: number }
  | { readonly kind: 'cdi'; readonly deviceIds: readonly string[] };

/** Everything `createContainer` needs; the adapter turns it into the engine's body. */
export interface ContainerCreateSpec {
  readonly name: string;
  /** The immutable image id (`sha256:...`), never a tag. */
  readonly imageId: string;
  /** Empty: the image's own entrypoint. Set, the image's command is not used either (Docker's rule). */
  readonly entrypoint: readonly string[];
  /** Empty: the image's default command. */
  readonly command: readonly string[];
  /** Docker's `User`; empty: the image's own USER. */
  readonly user: string;
  /** Docker's init (tini) as PID 1, reaping zombies and passing signals on to the entrypoint. */
  readonly hasInit: boolean;
  /** `KEY=value` entries. */
  readonly env: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly isTty: boolean;
  readonly networkName: string;
  /** `host:ip` entries for /etc/hosts. */
  readonly extraHosts: readonly string[];
  readonly mounts: readonly MountSpec[];
  /** CPU limit in units of 1e-9 CPUs; 0 means none. */
  readonly nanoCpus: number;
  /** Memory limit in bytes; 0 means none. */
  readonly memoryBytes: number;
  readonly pidsLimit: number;
  readonly deviceRequests: readonly DeviceRequestSpec[];
  readonly stopTimeoutSeconds: number;
}

/** What the driver reads from `docker info`. */
export interface EngineInfo {
  readonly serverVersion: string;
  /** Names of the configured OCI runtimes (e.g. `runc`, `nvidia`). */
  readonly runtimes: readonly string[];
  /** Directories the engine reads CDI specs from (Docker 25+); empty when CDI is off. */
  readonly cdiSpecDirs: readonly string[];
}

/**
 * The operations of a Docker engine the driver uses: the shared sandbox code's (images,
 * listing, inspect, start, stop, remove, events, networks) and Docker's own.
 */
export interface DockerEngine extends ContainerSandboxEngine, NetworkEngine<NetworkInfo> {
  ping(signal: AbortSignal): Promise<void>;
  info(signal: AbortSignal): Promise<EngineInfo>;
  /** Returns the new container's id. */
  createContainer(spec: ContainerCreateSpec, signal: AbortSignal): Promise<string>;
}
