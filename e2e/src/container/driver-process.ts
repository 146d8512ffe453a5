// A container engine's real driver binary (`shellgate-driver-docker`, `shellgate-driver-podman`)
// run by hand, restartable by the conformance kit; see harness/scripted-driver-process.ts.
import { join } from 'node:path';
import { ScriptedDriverProcess, type SpawnedDriver } from '../harness/scripted-driver-process.js';
import { defaultDriverConfig, e2eObjectName } from './e2e-driver-config.js';
import type { DriverConfigValue, EngineUnderTest } from './engine-under-test.js';

export { isRunning } from '../harness/scripted-driver-process.js';

/**
 * A driver process on a private socket, with a connected client. It runs detached (the
 * restart command replaces it), so SIGTERM or SIGINT of this test process stops it and
 * removes the containers on its network, which no after() hook would do then.
 */
export class DriverProcess extends ScriptedDriverProcess {
  private constructor(
    spawned: SpawnedDriver,
    readonly engine: EngineUnderTest,
    readonly networkName: string,
  ) {
    super(spawned);
  }

  get stateDir(): string {
    return join(this.dir, 'state');
  }

  /**
   * Starts `engine`'s driver with the default config plus `overrides`, and connects to it.
   * Stopping it removes its network (the driver keeps networks: they are shared and reused).
   */
  static async launch(engine: EngineUnderTest, label: string, overrides: Readonly<Record<string, DriverConfigValue>> = {}): Promise<DriverProcess> {
    // Run by hand, the driver labels containers with this gateway id; the sweep knows its prefix.
    const config = (dir: string): Record<string, DriverConfigValue> => ({ ...defaultDriverConfig(label, join(dir, 'state')), ...engine.driverConfig, gateway_id: e2eObjectName(label), ...overrides });
    // The network's name comes from the label and the overrides, not from the dir.
    const networkName = String(config('').network_name);
    const spawned = await ScriptedDriverProcess.spawn({
      name: engine.name,
      driverBin: engine.driverBin,
      dirPrefix: 'sg-e2e-drv-',
      config,
      connectTimeoutMs: 20_000,
      afterStop: () => engine.removeNetwork(networkName),
      afterTermination: () => engine.removeNetworkAndContainers(networkName),
    });
    return new DriverProcess(spawned, engine, networkName);
  }
}
