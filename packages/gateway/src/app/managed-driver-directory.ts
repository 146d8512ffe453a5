import type { DriverManager } from '../drivers/index.js';
import type { DriverDirectory, DriverHandle } from '../sandboxes/index.js';

/** Driver-table key the gateway keeps for itself instead of passing it to the driver. */
export const REQUIRES_SUPERVISOR_KEY = 'requires_supervisor';

/** The sandbox layer's view of the driver manager. */
export class ManagedDriverDirectory implements DriverDirectory {
  constructor(
    private readonly manager: DriverManager,
    readonly defaultDriverName: string,
    private readonly requiresSupervisor: ReadonlyMap<string, boolean>,
  ) {}

  names(): readonly string[] {
    return this.manager.list().map((driver) => driver.name);
  }

  get(name: string): DriverHandle | undefined {
    const driver = this.manager.list().find((candidate) => candidate.name === name);
    if (driver === undefined) return undefined;
    const requiresSupervisor = this.requiresSupervisor.get(name) ?? true;
    return {
      name,
      get client() {
        return driver.client;
      },
      get capabilities() {
        return driver.capabilities ?? { driverName: name, driverVersion: '', defaultImage: '', gatewayManagesLifecycle: false };
      },
      requiresSupervisor,
    };
  }

  onDriverConnected(listener: (name: string) => void): () => void {
    return this.manager.onDriverRestarted((driver) => listener(driver.name));
  }
}
