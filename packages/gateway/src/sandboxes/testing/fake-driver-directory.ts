import { ErrorCode, ShellgateError, type GetCapabilitiesResponse } from '@shellgate/driver-sdk';
import type { DriverDirectory, DriverHandle } from '../driver-directory.js';
import { FakeDriverClient } from './fake-driver-client.js';

/** One fake driver of a {@link FakeDriverDirectory}. */
export interface FakeDriverSpec {
  readonly name: string;
  readonly capabilities?: Partial<GetCapabilitiesResponse>;
  /** Default true, like a driver without `requires_supervisor = false`. */
  readonly requiresSupervisor?: boolean;
}

interface FakeDriverEntry {
  client: FakeDriverClient;
  readonly requiresSupervisor: boolean;
  isDown: boolean;
}

/**
 * A {@link DriverDirectory} of in-process {@link FakeDriverClient}s. The first driver is
 * the default unless one is named. Tests can take a driver down (get throws UNAVAILABLE),
 * restart it (a new client that keeps the backend) and announce reconnects.
 */
export class FakeDriverDirectory implements DriverDirectory {
  readonly defaultDriverName: string;
  private readonly entries = new Map<string, FakeDriverEntry>();
  private readonly listeners = new Set<(name: string) => void>();

  constructor(drivers: readonly FakeDriverSpec[] = [{ name: 'fake' }], defaultDriverName?: string) {
    for (const spec of drivers) {
      const capabilities: GetCapabilitiesResponse = {
        driverName: spec.name,
        driverVersion: '0.0.0-test',
        defaultImage: `${spec.name}-default:latest`,
        gatewayManagesLifecycle: false,
        ...spec.capabilities,
      };
      this.entries.set(spec.name, { client: new FakeDriverClient(capabilities), requiresSupervisor: spec.requiresSupervisor ?? true, isDown: false });
    }
    const first = drivers[0]?.name;
    if (first === undefined) throw new Error('FakeDriverDirectory needs at least one driver');
    this.defaultDriverName = defaultDriverName ?? first;
  }

  names(): readonly string[] {
    return [...this.entries.keys()];
  }

  get(name: string): DriverHandle | undefined {
    const entry = this.entries.get(name);
    if (entry === undefined) return undefined;
    if (entry.isDown) throw new ShellgateError(ErrorCode.Unavailable, `driver ${JSON.stringify(name)} is down (fake)`);
    return { name, client: entry.client, capabilities: entry.client.capabilities, requiresSupervisor: entry.requiresSupervisor };
  }

  onDriverConnected(listener: (name: string) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** The current fake client of a driver. */
  client(name: string): FakeDriverClient {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new Error(`no fake driver ${name}`);
    return entry.client;
  }

  /** While down, `get(name)` throws UNAVAILABLE, like the driver manager during a restart. */
  setDown(name: string, isDown: boolean): void {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new Error(`no fake driver ${name}`);
    entry.isDown = isDown;
  }

  /**
   * Simulates a driver restart: the old client's watches end, a new client takes over with
   * the same backend sandboxes, and connect listeners are told. Returns the new client.
   */
  restart(name: string): FakeDriverClient {
    const entry = this.entries.get(name);
    if (entry === undefined) throw new Error(`no fake driver ${name}`);
    const old = entry.client;
    const next = new FakeDriverClient(old.capabilities);
    for (const [id, sandbox] of old.backend) next.backend.set(id, sandbox);
    old.endWatches(new ShellgateError(ErrorCode.Unavailable, 'fake driver restarted'));
    entry.client = next;
    entry.isDown = false;
    this.announceConnected(name);
    return next;
  }

  /** Tells onDriverConnected listeners that `name` (re)connected. */
  announceConnected(name: string): void {
    for (const listener of [...this.listeners]) listener(name);
  }
}
