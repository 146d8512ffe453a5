// The real `shellgate-driver-vm` binary run by hand (`--bind-socket`, `--config`), as an
// operator or the conformance kit would, started by a small shell script that records its
// pid so the kit's --restart-cmd can restart it on the same socket.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_IMAGE } from '../container/e2e-driver-config.js';
import type { DriverConfigValue } from '../container/e2e-driver-config.js';
import { ScriptedDriverProcess, type SpawnedDriver } from '../harness/scripted-driver-process.js';
import { VM_DRIVER_BIN } from '../harness/paths.js';
import { VM_CACHE_DIR, e2eRunDir, killQemuUnder } from './vm-engine.js';

/**
 * The config every e2e VM driver gets: the local test image, the shared prepared cache, a
 * run dir under the engine dir (how cleanups find its QEMU), quick stops, no supervisor
 * (driver-level tests see backend state only; the gateway suite turns it on).
 */
export function defaultVmDriverConfig(label: string, stateDir: string): Record<string, DriverConfigValue> {
  return {
    default_image: TEST_IMAGE,
    state_dir: stateDir,
    cache_dir: VM_CACHE_DIR,
    run_dir: e2eRunDir(label),
    stop_timeout_seconds: 2,
    inject_supervisor: false,
  };
}

/** A VM driver on a private socket, restartable by a script; its VMs are killed on cleanup. */
export class VmDriverProcess extends ScriptedDriverProcess {
  private constructor(
    spawned: SpawnedDriver,
    readonly runDir: string,
  ) {
    super(spawned);
  }

  static async start(label: string, overrides: Readonly<Record<string, DriverConfigValue>> = {}): Promise<VmDriverProcess> {
    const runDir = String(overrides.run_dir ?? e2eRunDir(label));
    const spawned = await ScriptedDriverProcess.spawn({
      name: 'vm',
      driverBin: VM_DRIVER_BIN,
      dirPrefix: 'sg-e2e-vm-',
      config: (dir) => ({ ...defaultVmDriverConfig(label, join(dir, 'state')), gateway_id: `e2e-${label}`, run_dir: runDir, ...overrides }),
      socketPath: (dir) => join(dir, 'socket', 'driver.sock'),
      connectTimeoutMs: 30_000,
      // The driver leaves its VMs running when it stops (a restarted driver finds them again).
      afterStop: () => {
        killQemuUnder(runDir);
        rmSync(runDir, { recursive: true, force: true });
      },
      afterTermination: () => killQemuUnder(runDir),
    });
    return new VmDriverProcess(spawned, runDir);
  }
}
