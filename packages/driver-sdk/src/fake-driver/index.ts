/**
 * A scriptable in-memory compute driver (`shellgate-fake-driver`) for gateway tests, and
 * a readable reference for driver authors. Its `--config` TOML is its script.
 */
export { FakeDriver } from './fake-driver.js';
export type { FakeDriverOptions } from './fake-driver.js';
export { fakeDriverConfig, toFakeDriverScript } from './fake-driver-config.js';
export { FAKE_DRIVER_DEFAULTS, FAKE_DRIVER_RPCS, WATCH_EVENT_KINDS } from './fake-driver-script.js';
export type {
  FakeDriverRpc,
  FakeDriverScript,
  ScriptedResponse,
  ScriptedWatchEvent,
  ScriptedWatchEventKind,
} from './fake-driver-script.js';
export { parseFakeDriverScript } from './parse-fake-driver-script.js';
