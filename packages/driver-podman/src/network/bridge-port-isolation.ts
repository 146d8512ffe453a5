import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What port isolation reads and writes under /sys; the real file system by default. */
export interface SysfsAccess {
  readdir(path: string): Promise<string[]>;
  readFile(path: string): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
}

const HOST_SYSFS: SysfsAccess = {
  readdir: (path) => readdir(path),
  readFile: (path) => readFile(path, 'utf8'),
  writeFile: (path, data) => writeFile(path, data),
};

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}

/**
 * Keeps sandboxes on one bridge from reaching each other (issue 10, item 8): every port of
 * the bridge is marked `isolated` (Linux 4.18+), and isolated ports cannot talk to each
 * other, while traffic to the bridge itself, the host, where the gateway listens, is
 * untouched. netavark has no per-container option for this in 4.3 (its `isolate` option
 * only separates networks), and a veth gets a fresh port on every start, so the driver
 * isolates the bridge's ports after every container start. Idempotent.
 */
export class BridgePortIsolation {
  readonly #sysClassNet: string;
  readonly #sysfs: SysfsAccess;

  constructor(options: { readonly sysClassNet?: string; readonly sysfs?: SysfsAccess } = {}) {
    this.#sysClassNet = options.sysClassNet ?? '/sys/class/net';
    this.#sysfs = options.sysfs ?? HOST_SYSFS;
  }

  /**
   * Isolates every port of `bridge` that is not yet; answers how many it changed. A bridge
   * with no port yet (or none at all: netavark makes it with the first container) is fine.
   * @throws the file system's error when a port cannot be isolated (e.g. /sys read-only).
   */
  async isolatePorts(bridge: string): Promise<number> {
    const portsDir = join(this.#sysClassNet, bridge, 'brif');
    let ports: string[];
    try {
      ports = await this.#sysfs.readdir(portsDir);
    } catch (error) {
      if (isMissing(error)) return 0;
      throw error;
    }
    let changed = 0;
    for (const port of ports) {
      const flag = join(portsDir, port, 'isolated');
      try {
        if ((await this.#sysfs.readFile(flag)).trim() === '1') continue;
        await this.#sysfs.writeFile(flag, '1');
        changed += 1;
      } catch (error) {
        if (!isMissing(error)) throw error; // the port left meanwhile (its container stopped)
      }
    }
    return changed;
  }
}
