import { engineMessageOf } from '@shellgate/container-engine';

import { PodmanServiceError } from '../errors.js';
import type { PodmanEngine, PodmanInfo } from './podman-engine.js';
import { PODMAN_NAMING } from './podman-naming.js';

/** The oldest Podman this driver runs on: 4.3, what Debian 12 ships (libpod API v4). */
export const MIN_PODMAN_VERSION = '4.3.0';

/** `4.3.1` → [4, 3, 1]; anything unreadable → undefined. */
function parseVersion(text: string): [number, number, number] | undefined {
  const match = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text.trim());
  if (match === null) return undefined;
  return [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
}

/** Whether `version` is at least `minimum` (both `MAJOR.MINOR[.PATCH]`). */
export function isVersionAtLeast(version: string, minimum: string): boolean {
  const found = parseVersion(version);
  const needed = parseVersion(minimum);
  if (found === undefined || needed === undefined) return false;
  for (let index = 0; index < 3; index += 1) {
    if (found[index]! !== needed[index]!) return found[index]! > needed[index]!;
  }
  return true;
}

/**
 * Checks at start that `engine` is a Podman API service this driver can use, and reads what
 * it needs to know about it: `/_ping` must answer, with a `Libpod-Api-Version` header
 * (Docker sends only `Api-Version`) of at least {@link MIN_PODMAN_VERSION}.
 * @throws PodmanServiceError (exit 2) naming what was found and what is needed.
 */
export async function checkPodmanService(engine: PodmanEngine, signal: AbortSignal): Promise<PodmanInfo> {
  let ping;
  try {
    ping = await engine.ping(signal);
  } catch (error) {
    throw new PodmanServiceError(`no Podman API service answers on ${engine.endpoint} (${engineMessageOf(error)})`, { hint: PODMAN_NAMING.hostNotFoundHint, cause: error });
  }
  if (ping.libpodApiVersion === undefined) {
    throw new PodmanServiceError(
      `${engine.endpoint} is not a Podman API service: its /_ping answers Api-Version ${ping.apiVersion ?? 'none'} and no Libpod-Api-Version (a Docker engine?); this driver needs Podman ${MIN_PODMAN_VERSION} or newer`,
      { hint: 'set podman_socket to the Podman socket (e.g. unix:///run/podman/podman.sock), or configure the Docker driver ([drivers.docker]) for a Docker engine' },
    );
  }
  if (!isVersionAtLeast(ping.libpodApiVersion, MIN_PODMAN_VERSION)) {
    throw new PodmanServiceError(`${engine.endpoint} runs Podman ${ping.libpodApiVersion} (libpod API); this driver needs Podman ${MIN_PODMAN_VERSION} or newer`, {
      hint: 'upgrade Podman (Debian 12 ships 4.3.1; see podman.io for newer packages)',
      details: { libpodApiVersion: ping.libpodApiVersion },
    });
  }
  try {
    return await engine.info(signal);
  } catch (error) {
    throw new PodmanServiceError(`the Podman service on ${engine.endpoint} answered /_ping but not /libpod/info (${engineMessageOf(error)})`, { hint: PODMAN_NAMING.hostNotFoundHint, cause: error });
  }
}
