/** Environment variables the driver reads (only through `main.ts` and injected `env` records). */
export const DriverEnv = {
  /** Podman's own client variable: the service endpoint, `unix:///path` (its `ssh://` form is not supported). */
  ContainerHost: 'CONTAINER_HOST',
  /** The rootless user's runtime directory, where rootless Podman puts its socket. */
  XdgRuntimeDir: 'XDG_RUNTIME_DIR',
} as const;
export type DriverEnv = (typeof DriverEnv)[keyof typeof DriverEnv];
