import type { EngineNaming } from '@shellgate/container-engine';

import { DriverEnv } from '../env.js';

/** Docker's words in the shared host discovery and error mapping: the messages this driver always gave. */
export const DOCKER_NAMING: EngineNaming = {
  id: 'docker',
  displayName: 'Docker',
  hostConfigKey: 'docker_host',
  hostSettings: `docker_host / ${DriverEnv.DockerHost}`,
  exampleEndpoint: 'unix:///var/run/docker.sock',
  defaultTcpPort: 2375,
  daemonName: 'dockerd',
  hostNotFoundHint: `start dockerd, or set docker_host / ${DriverEnv.DockerHost} / --docker-host to the engine socket, e.g. unix:///run/user/1000/docker.sock`,
  permissionHint: 'run the driver as a user that may use the Docker socket (root or the docker group)',
};
