/**
 * What the sandbox code shared by the container drivers needs from an engine: images, the
 * containers it owns (start, stop, remove), and the event stream, in this package's types.
 * Each driver's own engine interface (driver-docker's `DockerEngine`, driver-podman's `PodmanEngine`)
 * extends it with what only that driver does, such as its create body. Every method takes an
 * AbortSignal; failures are thrown as the engine reports them, for the driver's
 * `toDriverError` to map.
 */
import type { ContainerEvent } from '../payload/container-event.js';
import type { ContainerInfo } from '../payload/container-info.js';
import type { ImageInfo } from '../payload/image-info.js';

/** Image pull policies, as Kubernetes names them. */
export const ImagePullPolicy = {
  Always: 'Always',
  IfNotPresent: 'IfNotPresent',
  Never: 'Never',
} as const;
export type ImagePullPolicy = (typeof ImagePullPolicy)[keyof typeof ImagePullPolicy];

/** One line of image pull progress. */
export interface PullProgress {
  readonly status: string;
  readonly layerId?: string;
  readonly detail?: string;
}

/** The operations of a container engine the shared sandbox code uses. */
export interface ContainerSandboxEngine {
  /** A human-readable name of the endpoint (socket path or URL), for logs and hints. */
  readonly endpoint: string;
  /** Undefined when the engine does not have the image. */
  inspectImage(reference: string, signal: AbortSignal): Promise<ImageInfo | undefined>;
  pullImage(reference: string, onProgress: (progress: PullProgress) => void, signal: AbortSignal): Promise<void>;
  /** Containers (running or not) that carry every `key=value` label filter given. */
  listContainerIds(labelFilters: readonly string[], signal: AbortSignal): Promise<string[]>;
  /** Undefined when the container does not exist. */
  inspectContainer(id: string, signal: AbortSignal): Promise<ContainerInfo | undefined>;
  /** Starting a running container is not an error. */
  startContainer(id: string, signal: AbortSignal): Promise<void>;
  /** Stopping a stopped container is not an error. */
  stopContainer(id: string, timeoutSeconds: number, signal: AbortSignal): Promise<void>;
  /** Force-removes the container and its anonymous volumes; false when it did not exist. */
  removeContainer(id: string, signal: AbortSignal): Promise<boolean>;
  /**
   * Opens the engine's event stream for container events carrying every label filter; resolves
   * once the engine has answered, so nothing that happens afterwards is missed. The iterable
   * ends or throws when the stream drops; the caller reconnects and resyncs.
   */
  openContainerEvents(labelFilters: readonly string[], signal: AbortSignal): Promise<AsyncIterable<ContainerEvent>>;
}
