import type { DriverClient, GetCapabilitiesResponse } from '@shellgate/driver-sdk';

/** One usable compute driver, as the sandbox layer sees it. */
export interface DriverHandle {
  readonly name: string;
  /** The current client; a restarted driver gets a new one, so read it per call. */
  readonly client: DriverClient;
  readonly capabilities: GetCapabilitiesResponse;
  /** False only for drivers configured with `requires_supervisor = false` (backend Ready is Ready). */
  readonly requiresSupervisor: boolean;
}

/**
 * The drivers the sandbox layer may use. The driver manager implements it; tests pass a
 * map of in-process fakes.
 */
export interface DriverDirectory {
  readonly defaultDriverName: string;
  names(): readonly string[];
  /** Undefined when no driver has that name; throws UNAVAILABLE while a known driver is down. */
  get(name: string): DriverHandle | undefined;
  /** Called with a driver's name each time it is (re)connected, after a restart or reconnect. */
  onDriverConnected(listener: (name: string) => void): () => void;
}
