import type { EngineNaming } from '../engine-naming.js';

/** A Podman driver's naming, as the shared code's tests use it: proof the wording is the caller's. */
export const PODMAN_NAMING: EngineNaming = {
  id: 'podman',
  displayName: 'Podman',
  hostConfigKey: 'podman_socket',
  hostSettings: 'podman_socket / CONTAINER_HOST',
  exampleEndpoint: 'unix:///run/podman/podman.sock',
  defaultTcpPort: 8080,
  daemonName: 'the Podman API service (podman system service)',
  hostNotFoundHint: 'start podman.socket (systemctl --user start podman.socket), or set podman_socket to the engine socket',
  permissionHint: 'run the driver as the user who owns the rootless Podman socket, or as root for /run/podman/podman.sock',
};
