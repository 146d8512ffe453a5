import type { ErrorCode } from '../errors.js';
import type { GatewayListenerRequirement } from '../gen/compute_driver.js';

/** The RPC names a `[[responses]]` entry may script, as the proto spells them. */
export const FAKE_DRIVER_RPCS = [
  'GetCapabilities',
  'GetGatewayListenerRequirements',
  'ValidateSandboxCreate',
  'CreateSandbox',
  'GetSandbox',
  'ListSandboxes',
  'StopSandbox',
  'StartSandbox',
  'DeleteSandbox',
  'WatchSandboxes',
  'EnsureWorkspace',
  'DeleteWorkspace',
] as const;
export type FakeDriverRpc = (typeof FAKE_DRIVER_RPCS)[number];

/**
 * One scripted answer: when `rpc` is called for a matching sandbox, wait `delayMs`, then
 * fail with `error` (or carry on normally when no error is set). Applies `times` times,
 * or forever when `times` is undefined.
 */
export interface ScriptedResponse {
  readonly rpc: FakeDriverRpc;
  readonly error: ErrorCode | undefined;
  readonly message: string;
  readonly delayMs: number;
  readonly times: number | undefined;
  /** Only calls about a sandbox with this name; undefined matches every call. */
  readonly matchName: string | undefined;
  /** Only calls about a sandbox with this id; undefined matches every call. */
  readonly matchId: string | undefined;
}

/** What a scripted watch event does to the sandbox it concerns. */
export const WATCH_EVENT_KINDS = ['platform_event', 'condition', 'deleted'] as const;
export type ScriptedWatchEventKind = (typeof WATCH_EVENT_KINDS)[number];

/**
 * An event the fake driver emits `delayMs` after creating each matching sandbox:
 * a platform event, a condition change (e.g. Ready=False ContainerExited), or a
 * deletion behind the gateway's back.
 */
export interface ScriptedWatchEvent {
  readonly kind: ScriptedWatchEventKind;
  readonly delayMs: number;
  readonly matchName: string | undefined;
  readonly matchId: string | undefined;
  /** Condition type for `condition` events, e.g. `Ready`. */
  readonly conditionType: string;
  /** `True`/`False`/`Unknown` for `condition` events. */
  readonly status: string;
  /** `type` of a platform event, e.g. `Warning`. */
  readonly eventType: string;
  readonly source: string;
  readonly reason: string;
  readonly message: string;
}

/**
 * How a stopped sandbox is reported: `suspended` is Shellgate's `Suspended=True`;
 * `container_exited` is upstream OpenShell's drivers' `Ready=False` reason `ContainerExited`
 * (they never set Suspended), for tests of how the gateway reads an upstream driver.
 */
export const STOP_REPORTS = ['suspended', 'container_exited'] as const;
export type StopReport = (typeof STOP_REPORTS)[number];

/** The fake driver's whole behaviour, parsed from its `--config` TOML. */
export interface FakeDriverScript {
  readonly driverName: string;
  readonly driverVersion: string;
  readonly defaultImage: string;
  readonly gatewayManagesLifecycle: boolean;
  /** How long a new or restarted sandbox stays Provisioning; 0 turns it Ready at once. */
  readonly readyDelayMs: number;
  readonly stopReportedAs: StopReport;
  /** JSON file the sandboxes are kept in across restarts; undefined keeps them in memory only. */
  readonly stateFile: string | undefined;
  /**
   * Directory several fake driver processes share as one backend (one per gateway replica,
   * like a cluster every replica sees); excludes `stateFile`.
   */
  readonly sharedStateDir: string | undefined;
  readonly responses: readonly ScriptedResponse[];
  readonly watchEvents: readonly ScriptedWatchEvent[];
  readonly listenerRequirements: readonly GatewayListenerRequirement[];
}

/** Defaults of the scalar settings. */
export const FAKE_DRIVER_DEFAULTS = {
  driverName: 'fake',
  driverVersion: '0.1.0',
  defaultImage: 'fake/image:latest',
  gatewayManagesLifecycle: false,
  readyDelayMs: 0,
  stopReportedAs: 'suspended',
} as const;
