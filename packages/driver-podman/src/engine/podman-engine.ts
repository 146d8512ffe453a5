/**
 * The narrow seam between the driver and a Podman service (STYLE.md rules 2 and 15): the
 * shared sandbox code's operations plus the handful only this driver uses, in our own
 * types. `LibpodApiEngine` is the one implementation, over the libpod REST API; unit tests
 * use a fake, so they need no engine. Failures are thrown as the engine reports them and
 * are mapped to driver errors by `toDriverError` at the call site.
 */
import type { ContainerProcess, ContainerSandboxEngine, EnginePing, LibpodNetworkInfo, MountSpec, NetworkEngine } from '@shellgate/container-engine';

export type { ContainerEvent, ContainerInfo, EnginePing, ImageInfo, LibpodNetworkInfo, MountSpec, NetworkCreateSpec, PullProgress } from '@shellgate/container-engine';

/** How a container is networked: on a managed bridge network, or in user mode (rootless). */
export type ContainerNetworkSpec =
  | { readonly mode: 'bridge'; readonly networkName: string }
  | { readonly mode: 'slirp4netns' | 'pasta' };

/** Everything `createContainer` needs; the adapter turns it into libpod's spec generator body. */
export interface PodmanCreateSpec extends ContainerProcess {
  readonly name: string;
  /** The immutable image id, never a tag. */
  readonly imageId: string;
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly network: ContainerNetworkSpec;
  /** `host:ip` entries for /etc/hosts. */
  readonly hostEntries: readonly string[];
  /** Bind, tmpfs and volume mounts; a volume without a source is anonymous (removed with the container). */
  readonly mounts: readonly MountSpec[];
  /** CPU limit in millicores; 0 means none. */
  readonly cpuMillicores: number;
  /** Memory limit in bytes; 0 means none. */
  readonly memoryBytes: number;
  /** 0 means none. */
  readonly pidsLimit: number;
  /** Fully qualified CDI device names (`nvidia.com/gpu=0`). */
  readonly cdiDevices: readonly string[];
  /** Podman's user namespace mode (`keep-id`, `auto`, ...); empty: the engine's default. */
  readonly userns: string;
  readonly stopTimeoutSeconds: number;
}

/** A pod whose infra container (Podman's locally built pause image) only holds a network's bridge up. */
export interface AnchorPodSpec {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly networkName: string;
}

/** What the driver reads from `/libpod/info`. */
export interface PodmanInfo {
  /** `version.Version`, e.g. `4.3.1`. */
  readonly version: string;
  /** The service runs as an unprivileged user. */
  readonly isRootless: boolean;
  /** `v1` or `v2`: rootless Podman on cgroup v1 cannot enforce limits. */
  readonly cgroupVersion: string;
}

/** The operations of a Podman service the driver uses. */
export interface PodmanEngine extends ContainerSandboxEngine, NetworkEngine<LibpodNetworkInfo> {
  /** `/_ping` outside the libpod tree, so a Docker socket answers too and can be told apart. */
  ping(signal: AbortSignal): Promise<EnginePing>;
  info(signal: AbortSignal): Promise<PodmanInfo>;
  /** Returns the new container's id. */
  createContainer(spec: PodmanCreateSpec, signal: AbortSignal): Promise<string>;
  /** Creates the pod if missing and starts it if it is not running. */
  ensurePod(spec: AnchorPodSpec, signal: AbortSignal): Promise<void>;
}
