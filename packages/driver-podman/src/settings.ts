import type { ContainerDriverSettings } from '@shellgate/container-engine';

/** How sandboxes are networked, once `auto` is resolved against the service. */
export type ResolvedNetworkMode = 'bridge' | 'slirp4netns' | 'pasta';

/**
 * The driver's resolved settings, in our own names (see `config.ts` for keys and defaults):
 * those every container driver has (with `allow_sandbox_to_sandbox` false, every bridge port
 * is isolated), and Podman's own.
 */
export interface PodmanDriverSettings extends ContainerDriverSettings {
  readonly networkMode: ResolvedNetworkMode;
  /** The Podman service runs as an unprivileged user. */
  readonly isRootless: boolean;
  /** False for rootless Podman on cgroup v1, which ignores cpu, memory and pids limits. */
  readonly canEnforceLimits: boolean;
}
