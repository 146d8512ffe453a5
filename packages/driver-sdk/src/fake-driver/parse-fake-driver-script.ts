import { ConfigError } from '../config/index.js';
import type { ConfigProblem } from '../config/index.js';
import { ErrorCode } from '../errors.js';
import type { GatewayListenerRequirement } from '../gen/compute_driver.js';
import { FAKE_DRIVER_DEFAULTS, FAKE_DRIVER_RPCS, STOP_REPORTS, WATCH_EVENT_KINDS } from './fake-driver-script.js';
import type { FakeDriverScript, ScriptedResponse, ScriptedWatchEvent } from './fake-driver-script.js';
import { ScriptTableReader } from './script-table-reader.js';

const TOP_LEVEL_KEYS = [
  'driver_name',
  'driver_version',
  'default_image',
  'gateway_manages_lifecycle',
  'ready_delay_ms',
  'stop_reported_as',
  'state_file',
  'shared_state_dir',
  'responses',
  'watch_events',
  'listener_requirements',
];
const RESPONSE_KEYS = ['rpc', 'error', 'message', 'delay_ms', 'times', 'match_name', 'match_id'];
const WATCH_EVENT_KEYS = [
  'kind',
  'delay_ms',
  'match_name',
  'match_id',
  'condition_type',
  'status',
  'type',
  'source',
  'reason',
  'message',
];
const LISTENER_KEYS = ['reason', 'exact_bind_address', 'default_route_interface', 'loopback_interface'];
const ERROR_CODES = Object.values(ErrorCode);
const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;

/**
 * Reads the fake driver's script: the TOML table the gateway writes for `[drivers.fake]`
 * (or any `--config` file). Strict: unknown keys, RPC names, error codes and kinds are
 * all reported, each with its key path, in one {@link ConfigError}.
 */
export function parseFakeDriverScript(document: Readonly<Record<string, unknown>>): FakeDriverScript {
  const problems: ConfigProblem[] = [];
  const root = new ScriptTableReader('', document, problems);
  const script: FakeDriverScript = {
    driverName: root.string('driver_name') ?? FAKE_DRIVER_DEFAULTS.driverName,
    driverVersion: root.string('driver_version') ?? FAKE_DRIVER_DEFAULTS.driverVersion,
    defaultImage: root.string('default_image') ?? FAKE_DRIVER_DEFAULTS.defaultImage,
    gatewayManagesLifecycle: root.boolean('gateway_manages_lifecycle') ?? FAKE_DRIVER_DEFAULTS.gatewayManagesLifecycle,
    readyDelayMs: root.integer('ready_delay_ms') ?? FAKE_DRIVER_DEFAULTS.readyDelayMs,
    stopReportedAs: root.choice('stop_reported_as', STOP_REPORTS) ?? FAKE_DRIVER_DEFAULTS.stopReportedAs,
    stateFile: root.string('state_file'),
    sharedStateDir: root.string('shared_state_dir'),
    responses: root.tables('responses').map(parseResponse),
    watchEvents: root.tables('watch_events').map(parseWatchEvent),
    listenerRequirements: root.tables('listener_requirements').map(parseListenerRequirement),
  };
  if (script.driverName === '') root.problem('driver_name', 'must not be empty');
  if (script.stateFile !== undefined && script.sharedStateDir !== undefined) root.problem('shared_state_dir', 'excludes state_file: a shared directory is the state');
  root.reportUnknownKeys(TOP_LEVEL_KEYS);
  if (problems.length > 0) throw new ConfigError(problems);
  return script;
}

function parseResponse(entry: ScriptTableReader): ScriptedResponse {
  const rpc = entry.choice('rpc', FAKE_DRIVER_RPCS);
  if (!entry.has('rpc')) entry.problem('rpc', `is required; one of ${FAKE_DRIVER_RPCS.join(', ')}`);
  const response: ScriptedResponse = {
    rpc: rpc ?? 'GetCapabilities',
    error: entry.choice('error', ERROR_CODES),
    message: entry.string('message') ?? '',
    delayMs: entry.integer('delay_ms') ?? 0,
    times: entry.integer('times', 1),
    matchName: entry.string('match_name'),
    matchId: entry.string('match_id'),
  };
  if (!entry.has('error') && response.delayMs === 0 && entry.has('rpc')) {
    entry.problem(undefined, 'does nothing; set error, delay_ms or both');
  }
  entry.reportUnknownKeys(RESPONSE_KEYS);
  return response;
}

function parseWatchEvent(entry: ScriptTableReader): ScriptedWatchEvent {
  const kind = entry.choice('kind', WATCH_EVENT_KINDS);
  if (!entry.has('kind')) entry.problem('kind', `is required; one of ${WATCH_EVENT_KINDS.join(', ')}`);
  const event: ScriptedWatchEvent = {
    kind: kind ?? 'platform_event',
    delayMs: entry.integer('delay_ms') ?? 0,
    matchName: entry.string('match_name'),
    matchId: entry.string('match_id'),
    conditionType: entry.string('condition_type') ?? 'Ready',
    status: entry.choice('status', CONDITION_STATUSES) ?? 'False',
    eventType: entry.string('type') ?? 'Normal',
    source: entry.string('source') ?? 'fake-driver',
    reason: entry.string('reason') ?? '',
    message: entry.string('message') ?? '',
  };
  if (kind === 'condition' && event.reason === '') entry.problem('reason', 'is required for a condition event');
  entry.reportUnknownKeys(WATCH_EVENT_KEYS);
  return event;
}

function parseListenerRequirement(entry: ScriptTableReader): GatewayListenerRequirement {
  const reason = entry.string('reason') ?? '';
  const exactBindAddress = entry.string('exact_bind_address');
  const defaultRoute = entry.boolean('default_route_interface') === true;
  const loopback = entry.boolean('loopback_interface') === true;
  entry.reportUnknownKeys(LISTENER_KEYS);
  const selectors: GatewayListenerRequirement['selector'][] = [];
  if (exactBindAddress !== undefined) selectors.push({ $case: 'exactBindAddress', exactBindAddress });
  if (defaultRoute) selectors.push({ $case: 'defaultRouteInterface', defaultRouteInterface: {} });
  if (loopback) selectors.push({ $case: 'loopbackInterface', loopbackInterface: {} });
  if (selectors.length !== 1) {
    entry.problem(
      undefined,
      'needs exactly one of exact_bind_address = "ADDR", default_route_interface = true, loopback_interface = true',
    );
  }
  return { reason, selector: selectors[0] };
}
