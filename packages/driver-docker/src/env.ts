/** Environment variables the driver reads (only through `main.ts` and injected `env` records). */
export const DriverEnv = {
  /** Standard Docker client variable: `unix:///path` or `tcp://host:port`. */
  DockerHost: 'DOCKER_HOST',
  XdgRuntimeDir: 'XDG_RUNTIME_DIR',
  Home: 'HOME',
} as const;
export type DriverEnv = (typeof DriverEnv)[keyof typeof DriverEnv];
