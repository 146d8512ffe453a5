import { SANDBOX_TOKEN_TARGET, buildSandboxEnvironment } from '@shellgate/driver-sdk';
import type { SandboxTlsFiles } from '@shellgate/driver-sdk';

import type { ImageConfig } from '../image/image-source.js';
import type { StoredLaunch } from '../state.js';
import type { ValidatedVmSandbox } from './validate-vm-sandbox.js';

/** Docker's PATH for an image that sets none; the same tools resolve in a VM sandbox. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Neither the sandbox nor its image names a command. */
export class NoCommandError extends Error {
  constructor(image: string) {
    super(`image ${image} has no ENTRYPOINT or CMD and the sandbox names no command; set spec.command`);
    this.name = 'NoCommandError';
  }
}

/** Docker's USER values that mean root: empty, `root`, `0`, with or without a group. */
export function isRootUser(user: string): boolean {
  const name = user.split(':')[0] ?? '';
  return name === '' || name === 'root' || name === '0';
}

/** A DNS label from a sandbox name, for the guest's hostname. */
export function toHostname(name: string): string {
  const label = name.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  return label === '' ? 'sandbox' : label;
}

function parseEnvList(entries: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    if (equals > 0) env[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  return env;
}

/**
 * What a sandbox boots, resolved once at create the way Docker resolves a container: the
 * canonical command (`spec.command`, else the image's entrypoint + cmd), the environment
 * (the image's, then the user's, then the driver's `OPENSHELL_*`, which win; PATH, HOME and
 * HOSTNAME filled in as Docker would), the image's working dir and non-root USER.
 * @throws NoCommandError when there is nothing to run.
 */
export function toStoredLaunch(
  validated: ValidatedVmSandbox,
  image: { readonly reference: string; readonly config: ImageConfig },
  endpoint: string,
  tls?: SandboxTlsFiles,
): StoredLaunch {
  const { sandbox } = validated;
  const { config } = image;
  const specCommand = sandbox.spec?.command ?? [];
  const command = specCommand.length > 0 ? [...specCommand] : [...config.entrypoint, ...config.cmd];
  if (command.length === 0) throw new NoCommandError(image.reference);
  const user = isRootUser(config.user) ? '' : config.user;
  const hostname = toHostname(sandbox.name);
  const env = {
    PATH: DEFAULT_PATH,
    HOSTNAME: hostname,
    ...(user === '' ? { HOME: '/root' } : {}),
    ...parseEnvList(config.env),
    ...buildSandboxEnvironment({ sandbox, endpoint, tokenFilePath: SANDBOX_TOKEN_TARGET, tls }),
  };
  return {
    imageReference: image.reference,
    imageId: config.id,
    kernel: validated.kernel,
    vcpus: validated.vcpus,
    memoryMib: validated.memoryMib,
    env,
    command,
    tty: sandbox.spec?.tty ?? false,
    user,
    workdir: config.workingDir === '' ? '/' : config.workingDir,
    hostname,
    disks: validated.disks.map((disk, index) => ({ serial: `sg-disk-${index}`, target: disk.target, sizeMib: disk.sizeMib })),
  };
}
