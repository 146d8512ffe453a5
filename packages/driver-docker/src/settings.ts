import type { ContainerDriverSettings } from '@shellgate/container-engine';

/** The driver's resolved settings, in our own names (see `config.ts` for keys and defaults): those every container driver has. */
export type DockerDriverSettings = ContainerDriverSettings;
