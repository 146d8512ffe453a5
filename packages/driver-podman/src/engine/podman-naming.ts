import type { EngineNaming } from '@shellgate/container-engine';

import { DriverEnv } from '../env.js';

/** The command that starts the rootful API service on the socket this driver looks for first. */
export const ROOTFUL_SERVICE_COMMAND = 'podman system service --time=0 unix:///run/podman/podman.sock';
/** The same for a rootless user, on their runtime directory's socket. */
export const ROOTLESS_SERVICE_COMMAND = 'podman system service --time=0 unix://$XDG_RUNTIME_DIR/podman/podman.sock';

/** Podman's words in the shared host discovery and error mapping. */
export const PODMAN_NAMING: EngineNaming = {
  id: 'podman',
  displayName: 'Podman',
  hostConfigKey: 'podman_socket',
  hostSettings: `podman_socket / SHELLGATE_PODMAN_SOCKET / ${DriverEnv.ContainerHost}`,
  exampleEndpoint: 'unix:///run/podman/podman.sock',
  defaultTcpPort: 8080,
  daemonName: 'the Podman API service (podman system service)',
  hostNotFoundHint:
    `start the Podman API service: \`${ROOTFUL_SERVICE_COMMAND}\` as root (or systemctl enable --now podman.socket), ` +
    `\`${ROOTLESS_SERVICE_COMMAND}\` as a rootless user (or systemctl --user enable --now podman.socket); ` +
    'or set podman_socket / --podman-socket to its socket',
  permissionHint: 'run the driver as the user who owns the rootless Podman socket, or as root for /run/podman/podman.sock',
};
