// shellgate-driver-k8s run by hand, restartable by the conformance kit; see
// harness/scripted-driver-process.ts. What it creates lives in the test's namespace, which
// the test removes.
import { join } from 'node:path';
import type { DriverConfigValue } from '../container/e2e-driver-config.js';
import { ScriptedDriverProcess } from '../harness/scripted-driver-process.js';
import { K8S_DRIVER_BIN } from './k8s-e2e-env.js';

export class K8sDriverProcess extends ScriptedDriverProcess {
  static async launch(settings: Readonly<Record<string, DriverConfigValue>>): Promise<K8sDriverProcess> {
    return new K8sDriverProcess(
      await ScriptedDriverProcess.spawn({
        name: 'k8s',
        driverBin: K8S_DRIVER_BIN,
        dirPrefix: 'sg-e2e-k8sdrv-',
        config: (dir) => ({ state_dir: join(dir, 'state'), ...settings }),
        // The first start checks every permission against the API server.
        connectTimeoutMs: 60_000,
        retryIntervalMs: 100,
      }),
    );
  }
}
