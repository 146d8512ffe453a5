import { defineConfig } from '../config/index.js';
import type { ConfigSchema, ConfigValues } from '../config/index.js';
import { FAKE_DRIVER_DEFAULTS, STOP_REPORTS } from './fake-driver-script.js';
import type { FakeDriverScript } from './fake-driver-script.js';
import { parseFakeDriverScript } from './parse-fake-driver-script.js';

const keys = {
  driver_name: { type: 'string', default: FAKE_DRIVER_DEFAULTS.driverName, description: 'driver_name in GetCapabilities' },
  driver_version: {
    type: 'string',
    default: FAKE_DRIVER_DEFAULTS.driverVersion,
    description: 'driver_version in GetCapabilities',
  },
  default_image: {
    type: 'string',
    default: FAKE_DRIVER_DEFAULTS.defaultImage,
    description: 'default_image in GetCapabilities',
  },
  gateway_manages_lifecycle: {
    type: 'boolean',
    default: FAKE_DRIVER_DEFAULTS.gatewayManagesLifecycle,
    description: 'gateway_manages_lifecycle in GetCapabilities',
  },
  ready_delay_ms: {
    type: 'integer',
    min: 0,
    default: FAKE_DRIVER_DEFAULTS.readyDelayMs,
    description: 'ms a new or started sandbox stays Provisioning before Ready=True',
  },
  stop_reported_as: {
    type: 'string',
    choices: STOP_REPORTS,
    default: FAKE_DRIVER_DEFAULTS.stopReportedAs,
    description: "how a stop is reported: suspended (Suspended=True) or container_exited (Ready=False ContainerExited, upstream OpenShell's form)",
  },
  state_file: {
    type: 'string',
    flag: '--state-file',
    description: 'JSON file that keeps the sandboxes across restarts (default: memory only)',
  },
  shared_state_dir: {
    type: 'string',
    flag: '--shared-state-dir',
    description: 'directory that several fake driver processes share as one backend, one JSON file per sandbox (excludes state_file)',
  },
  responses: {
    type: 'table-array',
    description:
      'scripted errors/delays, as [[responses]] entries (or named [responses.NAME] tables): rpc, error, message, delay_ms, times, match_name, match_id',
  },
  watch_events: {
    type: 'table-array',
    description:
      'scripted events after each matching create, as [[watch_events]] (or [watch_events.NAME]): kind (platform_event|condition|deleted), delay_ms, match_name, match_id, condition_type, status, type, source, reason, message',
  },
  listener_requirements: {
    type: 'table-array',
    description:
      '[[listener_requirements]] (or [listener_requirements.NAME]): reason plus one of exact_bind_address, default_route_interface, loopback_interface',
  },
} as const;

/** The `--config` schema of `shellgate-fake-driver`; every key is part of its script. */
export const fakeDriverConfig: ConfigSchema<typeof keys> = defineConfig({ keys });

/** Turns resolved config values into a validated {@link FakeDriverScript}. */
export function toFakeDriverScript(config: ConfigValues<typeof keys>): FakeDriverScript {
  const document = Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined));
  return parseFakeDriverScript(document);
}
