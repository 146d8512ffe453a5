/**
 * The narrow seam between the driver and a Docker engine (STYLE.md rules 2 and 15): only
 * the handful of operations the driver uses, in our own types. `DockerApiEngine` is the one
 * implementation that talks to dockerd; unit tests use a fake, so they need no engine.
 * Every method takes an AbortSignal. Failures are thrown as the engine reports them and are
 * mapped to driver errors by `toDriverError` at the call site.
 */

import type { ContainerEvent, ContainerInfo, ImageInfo, NetworkInfo } from '@shellgate/container-engine';

// The payload types Docker shares with Podman, and their decoders, live in the shared
// package; re-exported so the driver names its engine seam in one module.
export { ContainerState } from '@shellgate/container-engine';
export type { ContainerEvent, ContainerInfo, ImageInfo, NetworkInfo } from '@shellgate/container-engine';

/** A mount as the driver asks for it. */
export interface MountSpec {
  readonly type: 'bind' | 'volume' | 'tmpfs';
  /** Host path (bind) or volume name (volume); absent for tmpfs and anonymous volumes. */
  readonly source?: string;
  readonly target: string;
  readonly isReadOnly: boolean;
}

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

export interface NetworkCreateSpec {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Containers on the network reach each other (the bridge's inter-container traffic). */
  readonly isInterContainerTrafficEnabled: boolean;
}

/** What the driver reads from `docker info`. */
export interface EngineInfo {
  readonly serverVersion: string;
  /** Names of the configured OCI runtimes (e.g. `runc`, `nvidia`). */
  readonly runtimes: readonly string[];
  /** Directories the engine reads CDI specs from (Docker 25+); empty when CDI is off. */
  readonly cdiSpecDirs: readonly string[];
}

/** One line of image pull progress. */
export interface PullProgress {
  readonly status: string;
  readonly layerId?: string;
  readonly detail?: string;
}

/** The operations of a Docker engine the driver uses. */
export interface DockerEngine {
  /** A human-readable name of the endpoint (socket path or URL), for logs and hints. */
  readonly endpoint: string;
  ping(signal: AbortSignal): Promise<void>;
  info(signal: AbortSignal): Promise<EngineInfo>;
  /** Undefined when the engine does not have the image. */
  inspectImage(reference: string, signal: AbortSignal): Promise<ImageInfo | undefined>;
  pullImage(reference: string, onProgress: (progress: PullProgress) => void, signal: AbortSignal): Promise<void>;
  /** Containers (running or not) that carry every `key=value` label filter given. */
  listContainerIds(labelFilters: readonly string[], signal: AbortSignal): Promise<string[]>;
  /** Undefined when the container does not exist. */
  inspectContainer(id: string, signal: AbortSignal): Promise<ContainerInfo | undefined>;
  /** Returns the new container's id. */
  createContainer(spec: ContainerCreateSpec, signal: AbortSignal): Promise<string>;
  /** Starting a running container is not an error. */
  startContainer(id: string, signal: AbortSignal): Promise<void>;
  /** Stopping a stopped container is not an error. */
  stopContainer(id: string, timeoutSeconds: number, signal: AbortSignal): Promise<void>;
  /** Force-removes the container and its anonymous volumes; false when it did not exist. */
  removeContainer(id: string, signal: AbortSignal): Promise<boolean>;
  inspectNetwork(name: string, signal: AbortSignal): Promise<NetworkInfo | undefined>;
  createNetwork(spec: NetworkCreateSpec, signal: AbortSignal): Promise<NetworkInfo>;
  /**
   * Opens the engine's event stream for container events carrying every label filter; resolves
   * once the engine has answered, so nothing that happens afterwards is missed. The iterable
   * ends or throws when the stream drops; the caller reconnects and resyncs.
   */
  openContainerEvents(labelFilters: readonly string[], signal: AbortSignal): Promise<AsyncIterable<ContainerEvent>>;
}
