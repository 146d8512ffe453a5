import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxPhase} from '@shellgate/api';
import { CreateSandboxRequest, type Sandbox } from '@shellgate/api';
import { SandboxIdentity } from '../../identity/index.js';
import { openSqliteStore, type GatewayStore } from '../../store/index.js';
import { SandboxEventBus, type SandboxChange } from '../sandbox-event-bus.js';
import { SandboxService } from '../sandbox-service.js';
import { SandboxStatusSync } from '../sandbox-status-sync.js';
import { SessionRegistry } from '../session-registry.js';
import { FakeDriverDirectory, type FakeDriverSpec } from './fake-driver-directory.js';
import { RecordingLogger } from '@shellgate/driver-sdk/testing';

/** Options of {@link createSandboxHarness}; every field has a test-friendly default. */
export interface SandboxHarnessOptions {
  readonly drivers?: readonly FakeDriverSpec[];
  readonly defaultDriverName?: string;
  /** The clock the status sync and service read; tests may change `clock.nowMs`. */
  readonly clock?: { nowMs: number };
}

/**
 * The sandbox layer wired on a real SQLite store in a temp dir and fake drivers: what unit
 * tests of the service, status sync, watcher, lifecycle and API handlers share.
 * Dispose it (`await using`) or call `close()` to remove the temp dir.
 */
export interface SandboxHarness extends AsyncDisposable {
  readonly dir: string;
  readonly store: GatewayStore;
  readonly drivers: FakeDriverDirectory;
  readonly sessions: SessionRegistry;
  readonly events: SandboxEventBus;
  readonly statusSync: SandboxStatusSync;
  readonly service: SandboxService;
  readonly identity: SandboxIdentity;
  readonly logger: RecordingLogger;
  readonly clock: { nowMs: number };
  /** Creates a sandbox through the service from a partial request. */
  create(request?: Parameters<typeof CreateSandboxRequest.fromPartial>[0]): Promise<Sandbox>;
  /** The stored sandbox with that id (throws when there is none). */
  stored(sandboxId: string): Promise<Sandbox>;
  close(): Promise<void>;
}

export async function createSandboxHarness(options: SandboxHarnessOptions = {}): Promise<SandboxHarness> {
  const dir = mkdtempSync(join(tmpdir(), 'shellgate-sandboxes-'));
  const clock = options.clock ?? { nowMs: 1_750_000_000_000 };
  const nowMs = (): number => clock.nowMs;
  const store = await openSqliteStore({ path: join(dir, 'gateway.db'), clock: { nowMs } });
  const drivers = new FakeDriverDirectory(options.drivers, options.defaultDriverName);
  const logger = new RecordingLogger();
  const sessions = new SessionRegistry(nowMs);
  const events = new SandboxEventBus();
  const statusSync = new SandboxStatusSync({ store, drivers, sessions, events, logger, nowMs });
  const identity = SandboxIdentity.loadOrCreate(join(dir, 'state', 'sandbox-signing-key.pem'), 'gw-test');
  const service = new SandboxService({ store, drivers, identity, events, statusSync, logger, nowMs });
  const close = async (): Promise<void> => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return {
    dir,
    store,
    drivers,
    sessions,
    events,
    statusSync,
    service,
    identity,
    logger,
    clock,
    create: async (request = {}) => service.create(CreateSandboxRequest.fromPartial({ name: 'box', ...request })),
    stored: async (sandboxId) => {
      const record = await store.getSandbox(sandboxId);
      if (record === undefined) throw new Error(`no stored sandbox ${sandboxId}`);
      return record.sandbox;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Resolves with the first change of `sandboxId` that `predicate` accepts. */
export async function nextChange(events: SandboxEventBus, sandboxId: string, predicate: (change: SandboxChange) => boolean = () => true): Promise<SandboxChange> {
  return new Promise((resolve) => {
    const unsubscribe = events.subscribe(sandboxId, (change) => {
      if (!predicate(change)) return;
      unsubscribe();
      resolve(change);
    });
  });
}

/** Resolves when `sandboxId` is published in `phase`. */
export async function nextPhase(events: SandboxEventBus, sandboxId: string, phase: SandboxPhase): Promise<Sandbox> {
  const change = await nextChange(events, sandboxId, (c) => c.kind === 'updated' && c.sandbox.status?.phase === phase);
  if (change.kind === 'platformEvent') throw new Error('unreachable');
  return change.sandbox;
}

