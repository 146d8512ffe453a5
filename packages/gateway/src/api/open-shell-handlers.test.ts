import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { Metadata, Server, ServerCredentials, credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import {
  CreateSandboxRequest,
  CreateWorkspaceRequest,
  DeleteSandboxRequest,
  DeleteWorkspaceRequest,
  ExecSandboxInput,
  ExecSandboxRequest,
  GetGatewayInfoRequest,
  GetSandboxLogsRequest,
  GetSandboxRequest,
  GetWorkspaceRequest,
  HealthRequest,
  ListSandboxesRequest,
  ListWorkspacesRequest,
  StartSandboxRequest,
  StopSandboxRequest,
  OpenShellClient,
  OpenShellService,
  SandboxPhase,
  ServiceStatus,
  WatchSandboxRequest,
  type OpenShellServer,
  type SandboxStreamEvent,
} from '@shellgate/api';
import { ErrorCode, ShellgateError } from '@shellgate/driver-sdk';
import { backendNotReadyStatus, backendReadyStatus, createSandboxHarness, type SandboxHarness } from '../sandboxes/testing/index.js';
import { ExecBroker, SandboxExecService, SandboxLogStore, SupervisorHub } from '../supervision/index.js';
import { createCallbackHandlers } from './callback-handlers.js';
import { createOpenShellHandlers } from './open-shell-handlers.js';

const TOKEN = 'test-bearer-token';
const P = SandboxPhase;

/** Request types by RPC, so tests can pass partial requests like the CLI builds them. */
const REQUEST_TYPES: Partial<Record<keyof OpenShellServer, { fromPartial(object: never): unknown }>> = {
  health: HealthRequest,
  getGatewayInfo: GetGatewayInfoRequest,
  createSandbox: CreateSandboxRequest,
  getSandbox: GetSandboxRequest,
  listSandboxes: ListSandboxesRequest,
  deleteSandbox: DeleteSandboxRequest,
  stopSandbox: StopSandboxRequest,
  startSandbox: StartSandboxRequest,
  getSandboxLogs: GetSandboxLogsRequest,
  createWorkspace: CreateWorkspaceRequest,
  getWorkspace: GetWorkspaceRequest,
  listWorkspaces: ListWorkspacesRequest,
  deleteWorkspace: DeleteWorkspaceRequest,
};

type Unary = (request: never, metadata: Metadata, callback: (error: ServiceError | null, response: unknown) => void) => unknown;

/** Calls a unary RPC by name with the bearer token (unless `token` is null). */
async function call<Res>(client: OpenShellClient, rpc: keyof OpenShellServer, request: unknown, token: string | null = TOKEN): Promise<Res> {
  const metadata = new Metadata();
  if (token !== null) metadata.set('authorization', `Bearer ${token}`);
  const method = (client[rpc as keyof OpenShellClient] as unknown as Unary).bind(client);
  return new Promise((resolve, reject) => {
    const full = REQUEST_TYPES[rpc]!.fromPartial(request as never);
    method(full as never, metadata, (error, response) => (error === null ? resolve(response as Res) : reject(error)));
  });
}

async function rejectsWith(promise: Promise<unknown>, code: GrpcStatus, details: RegExp): Promise<void> {
  await assert.rejects(promise, (error: ServiceError) => {
    assert.equal(error.code, code, `${GrpcStatus[error.code]}: ${error.details}`);
    assert.match(error.details, details);
    return true;
  });
}

/** An open WatchSandbox stream: events as they arrive, and how it ended. */
interface WatchStream {
  readonly events: SandboxStreamEvent[];
  /** Resolves once `count` events have arrived. */
  received(count: number): Promise<SandboxStreamEvent[]>;
  /** Resolves with the final status: OK when the server ended the stream. */
  readonly ended: Promise<{ code: GrpcStatus; details: string }>;
  cancel(): void;
}

function watch(client: OpenShellClient, request: Partial<WatchSandboxRequest>, token: string | null = TOKEN): WatchStream {
  const metadata = new Metadata();
  if (token !== null) metadata.set('authorization', `Bearer ${token}`);
  const stream = client.watchSandbox(WatchSandboxRequest.fromPartial(request), metadata);
  const events: SandboxStreamEvent[] = [];
  const waiters = new Set<() => void>();
  stream.on('data', (event: SandboxStreamEvent) => {
    events.push(event);
    for (const waiter of [...waiters]) waiter();
  });
  const ended = new Promise<{ code: GrpcStatus; details: string }>((resolve) => {
    stream.on('status', (status: { code: GrpcStatus; details: string }) => resolve({ code: status.code, details: status.details }));
    stream.on('error', () => undefined);
  });
  return {
    events,
    ended,
    cancel: () => stream.cancel(),
    received: async (count) => {
      if (events.length >= count) return events;
      return new Promise((resolve) => {
        const waiter = (): void => {
          if (events.length < count) return;
          waiters.delete(waiter);
          resolve(events);
        };
        waiters.add(waiter);
      });
    },
  };
}

function phaseOf(event: SandboxStreamEvent | undefined): SandboxPhase | undefined {
  return event?.payload?.$case === 'sandbox' ? event.payload.sandbox.status?.phase : undefined;
}

describe('OpenShell handlers over gRPC', () => {
  let h: SandboxHarness;
  let server: Server;
  let client: OpenShellClient;
  let handlers: OpenShellServer;
  let unexpected: Error | undefined;
  let logs: SandboxLogStore;
  let hub: SupervisorHub;

  before(async () => {
    server = new Server();
    // The service is bound once; each test swaps the harness behind these indirections.
    const forward = <K extends keyof OpenShellServer>(rpc: K): OpenShellServer[K] =>
      (...args: unknown[]) => (handlers[rpc] as unknown as (...a: unknown[]) => unknown)(...args);
    const keys = Object.keys(OpenShellService) as (keyof OpenShellServer)[];
    server.addService(OpenShellService, Object.fromEntries(keys.map((k) => [k, forward(k)])));
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error)));
    });
    client = new OpenShellClient(`127.0.0.1:${port}`, credentials.createInsecure());
  });
  after(async () => {
    client.close();
    await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  });

  beforeEach(async () => {
    h = await createSandboxHarness({ drivers: [{ name: 'fake' }, { name: 'other' }] });
    unexpected = undefined;
    logs = new SandboxLogStore({ lines: 100, bytes: 1024 * 1024 });
    const execs = new ExecBroker({ identity: h.identity });
    hub = new SupervisorHub({ identity: h.identity, store: h.store, sessions: h.sessions, statusSync: h.statusSync, events: h.events, logs, execs, heartbeatMs: 15_000 });
    handlers = createOpenShellHandlers({
      logs,
      exec: new SandboxExecService({ store: h.store, hub, execs }),
      auth: { bearerToken: TOKEN },
      logger: h.logger,
      sandboxes: h.service,
      store: h.store,
      events: h.events,
      info: {
        version: '9.9.9',
        computeDrivers: () => [{ name: 'fake', version: '0.0.0-test', capabilities: undefined }] as never,
        status: () => ServiceStatus.SERVICE_STATUS_HEALTHY,
      },
    });
  });
  afterEach(async () => {
    hub.close();
    await h.close();
    assert.equal(unexpected, undefined);
  });

  describe('auth', () => {
    it('refuses calls without the bearer token, unary and streaming, with UNAUTHENTICATED', async () => {
      await rejectsWith(call(client, 'getGatewayInfo', {}, null), GrpcStatus.UNAUTHENTICATED, /requires a bearer token/);
      await rejectsWith(call(client, 'listSandboxes', {}, 'wrong'), GrpcStatus.UNAUTHENTICATED, /not valid/);
      const stream = watch(client, { id: 'x', followStatus: true }, null);
      assert.equal((await stream.ended).code, GrpcStatus.UNAUTHENTICATED);
    });

    it('answers Health without the token, as upstream does, telling only status and version', async () => {
      const health = await call<Record<string, unknown>>(client, 'health', {}, null);
      assert.deepEqual(health, { status: ServiceStatus.SERVICE_STATUS_HEALTHY, version: '9.9.9' });
      assert.deepEqual(await call<Record<string, unknown>>(client, 'health', {}, 'wrong'), health);
    });

    it('answers Health and GetGatewayInfo with the token', async () => {
      const health = await call<{ status: ServiceStatus; version: string }>(client, 'health', {});
      assert.equal(health.status, ServiceStatus.SERVICE_STATUS_HEALTHY);
      assert.equal(health.version, '9.9.9');
      const info = await call<{ gatewayVersion: string; computeDrivers: { name: string }[] }>(client, 'getGatewayInfo', {});
      assert.equal(info.gatewayVersion, '9.9.9');
      assert.deepEqual(info.computeDrivers.map((d) => d.name), ['fake']);
    });
  });

  describe('sandboxes', () => {
    it('create, get, list, delete round trip', async () => {
      const created = await call<{ sandbox: { metadata: { id: string; name: string }; status: { phase: SandboxPhase } } }>(client, 'createSandbox', { name: 'box', labels: { tier: 'web' } });
      assert.equal(created.sandbox.metadata.name, 'box');
      assert.equal(created.sandbox.status.phase, P.SANDBOX_PHASE_PROVISIONING);
      const got = await call<{ sandbox: { metadata: { id: string } } }>(client, 'getSandbox', { name: 'box', workspace: '' });
      assert.equal(got.sandbox.metadata.id, created.sandbox.metadata.id);
      const listed = await call<{ sandboxes: unknown[] }>(client, 'listSandboxes', { labelSelector: 'tier=web' });
      assert.equal(listed.sandboxes.length, 1);
      assert.equal((await call<{ sandboxes: unknown[] }>(client, 'listSandboxes', { labelSelector: 'tier=db' })).sandboxes.length, 0);
      assert.equal((await call<{ sandboxes: unknown[] }>(client, 'listSandboxes', { workspace: 'nowhere' })).sandboxes.length, 0);
      assert.equal((await call<{ sandboxes: unknown[] }>(client, 'listSandboxes', { workspace: 'nowhere', allWorkspaces: true })).sandboxes.length, 1);
      assert.equal((await call<{ deleted: boolean }>(client, 'deleteSandbox', { name: 'box' })).deleted, true);
      // As upstream: a name the gateway does not hold is NOT_FOUND, never OK with deleted=false.
      await rejectsWith(call(client, 'deleteSandbox', { name: 'box' }), GrpcStatus.NOT_FOUND, /sandbox "box" not found in workspace "default"/);
      await rejectsWith(call(client, 'getSandbox', { name: 'box' }), GrpcStatus.NOT_FOUND, /sandbox "box" not found in workspace "default"/);
    });

    it('an empty name or id is INVALID_ARGUMENT on every RPC that takes one, as upstream', async () => {
      for (const rpc of ['getSandbox', 'deleteSandbox', 'stopSandbox', 'startSandbox', 'getWorkspace', 'deleteWorkspace'] as const) {
        await rejectsWith(call(client, rpc, { name: '' }), GrpcStatus.INVALID_ARGUMENT, /name: is required/);
      }
      await rejectsWith(call(client, 'getSandboxLogs', { sandboxId: '' }), GrpcStatus.INVALID_ARGUMENT, /sandbox_id: is required/);
      const stream = watch(client, { id: '', followStatus: true });
      assert.equal((await stream.ended).code, GrpcStatus.INVALID_ARGUMENT);
    });

    it('bad input is INVALID_ARGUMENT with a message naming the field', async () => {
      await rejectsWith(call(client, 'createSandbox', { name: 'x'.repeat(20) }), GrpcStatus.INVALID_ARGUMENT, /name: .*limit is 19/);
      const env = Object.fromEntries(Array.from({ length: 129 }, (_, i) => [`K${i}`, 'v']));
      await rejectsWith(call(client, 'createSandbox', { name: 'box', spec: { environment: env, command: [] } }), GrpcStatus.INVALID_ARGUMENT, /spec\.environment: has 129 entries/);
      await rejectsWith(
        call(client, 'createSandbox', { name: 'box', spec: { command: [], environment: {}, template: { driverConfig: { fake: {}, other: {} } } } }),
        GrpcStatus.INVALID_ARGUMENT,
        /spec\.template\.driver_config/,
      );
      await rejectsWith(
        call(client, 'createSandbox', { name: 'box', spec: { command: [], environment: {}, template: { resources: { limits: { cpu: 'many' } } } } }),
        GrpcStatus.INVALID_ARGUMENT,
        /spec\.template\.resources\.limits\.cpu/,
      );
      await rejectsWith(call(client, 'createSandbox', { name: 'box', labels: { 'bad key': 'v' } }), GrpcStatus.INVALID_ARGUMENT, /labels\["bad key"\]/);
      await rejectsWith(call(client, 'listSandboxes', { labelSelector: 'a in (' }), GrpcStatus.INVALID_ARGUMENT, /./);
      assert.equal(await h.store.countSandboxes(), 0);
    });

    it('driver_config reaches the named driver through the wire Struct', async () => {
      await call(client, 'createSandbox', { name: 'box', spec: { command: [], environment: {}, template: { driverConfig: { other: { network: 'n1', n: 2 } } } } });
      const created = h.drivers.client('other').callsTo('createSandbox')[0];
      assert.deepEqual(created?.sandbox?.spec?.template?.driverConfig, { network: 'n1', n: 2 });
    });

    it('driver errors keep their code; unexpected errors are INTERNAL without their text', async () => {
      h.drivers.client('fake').failNext('createSandbox', new ShellgateError(ErrorCode.ResourceExhausted, 'disk full', { hint: 'free space' }));
      await rejectsWith(call(client, 'createSandbox', { name: 'box' }), GrpcStatus.RESOURCE_EXHAUSTED, /disk full \(free space\)/);
      h.drivers.client('fake').failNext('createSandbox', new Error('/var/lib/private/path exploded'));
      await assert.rejects(call(client, 'createSandbox', { name: 'box' }), (error: ServiceError) => {
        assert.equal(error.code, GrpcStatus.INTERNAL);
        assert.match(error.details, /internal error in CreateSandbox/);
        assert.ok(!error.details.includes('/var/lib/private'));
        return true;
      });
      assert.equal(h.logger.at('error', /CreateSandbox failed/).length, 1);
      assert.equal(await h.store.countSandboxes(), 0);
    });

    it('stop and start map phase rules to FAILED_PRECONDITION and are idempotent', async () => {
      const created = await call<{ sandbox: { metadata: { id: string } } }>(client, 'createSandbox', { name: 'box' });
      await rejectsWith(call(client, 'startSandbox', { name: 'box' }), GrpcStatus.FAILED_PRECONDITION, /it is Provisioning; start is allowed from Stopped or Error/);
      const id = created.sandbox.metadata.id;
      h.sessions.connect(id, 's1');
      await h.statusSync.applyBackendSandbox('fake', { ...h.drivers.client('fake').backend.get(id)!, status: backendReadyStatus() });
      const stopping = await call<{ sandbox: { status: { phase: SandboxPhase } } }>(client, 'stopSandbox', { name: 'box' });
      assert.equal(stopping.sandbox.status.phase, P.SANDBOX_PHASE_STOPPING);
      assert.equal((await call<{ sandbox: { status: { phase: SandboxPhase } } }>(client, 'stopSandbox', { name: 'box' })).sandbox.status.phase, P.SANDBOX_PHASE_STOPPING);
      await rejectsWith(call(client, 'startSandbox', { name: 'box' }), GrpcStatus.FAILED_PRECONDITION, /start is allowed from Stopped/);
      await rejectsWith(call(client, 'stopSandbox', { name: 'nope' }), GrpcStatus.NOT_FOUND, /"nope"/);
    });

    it('logs and exec of an unknown sandbox are NOT_FOUND, unary, streaming and bidi', async () => {
      await rejectsWith(call(client, 'getSandboxLogs', { sandboxId: 'nope' }), GrpcStatus.NOT_FOUND, /sandbox "nope" not found/);
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${TOKEN}`);
      const exec = client.execSandbox(ExecSandboxRequest.fromPartial({ sandboxId: 'nope', command: ['true'] }), metadata);
      const bidi = client.execSandboxInteractive(metadata);
      bidi.write(ExecSandboxInput.fromPartial({ payload: { $case: 'start', start: { sandboxId: 'nope', command: ['true'] } } }));
      const statuses = [exec, bidi].map(async (stream) => new Promise<{ code: GrpcStatus; details: string }>((resolve) => {
        stream.on('error', () => undefined);
        stream.on('status', resolve);
      }));
      for (const status of await Promise.all(statuses)) {
        assert.equal(status.code, GrpcStatus.NOT_FOUND);
        assert.match(status.details, /sandbox "nope" not found/);
      }
    });
  });

  describe('WatchSandbox', () => {
    it('an unknown id is NOT_FOUND', async () => {
      const stream = watch(client, { id: 'missing', followStatus: true });
      const ended = await stream.ended;
      assert.equal(ended.code, GrpcStatus.NOT_FOUND);
      assert.match(ended.details, /sandbox id "missing" not found/);
    });

    it('streams the current object, then status changes, and ends when the sandbox is deleted', async () => {
      const sandbox = await h.create({ name: 'box' });
      const id = sandbox.metadata!.id;
      const stream = watch(client, { id, followStatus: true });
      await stream.received(1);
      assert.equal(phaseOf(stream.events[0]), P.SANDBOX_PHASE_PROVISIONING);
      await h.statusSync.applyBackendSandbox('fake', { ...h.drivers.client('fake').backend.get(id)!, status: backendNotReadyStatus('Crashed') });
      await stream.received(2);
      assert.equal(phaseOf(stream.events[1]), P.SANDBOX_PHASE_ERROR);
      await h.service.delete('default', 'box');
      const ended = await stream.ended;
      assert.equal(ended.code, GrpcStatus.OK);
      assert.equal(phaseOf(stream.events.at(-1)), P.SANDBOX_PHASE_DELETING);
    });

    it('with stop_on_terminal ends once the sandbox is Ready', async () => {
      const sandbox = await h.create({ name: 'box' });
      const id = sandbox.metadata!.id;
      const stream = watch(client, { id, followStatus: true, stopOnTerminal: true });
      await stream.received(1);
      h.sessions.connect(id, 's1');
      await h.statusSync.applyBackendSandbox('fake', { ...h.drivers.client('fake').backend.get(id)!, status: backendReadyStatus() });
      assert.equal((await stream.ended).code, GrpcStatus.OK);
      assert.equal(phaseOf(stream.events.at(-1)), P.SANDBOX_PHASE_READY);
    });

    it('with stop_on_terminal on a sandbox already in a terminal phase sends it and ends', async () => {
      const sandbox = await h.create({ name: 'box' });
      const id = sandbox.metadata!.id;
      await h.statusSync.applyBackendSandbox('fake', { ...h.drivers.client('fake').backend.get(id)!, status: backendNotReadyStatus('Crashed') });
      const stream = watch(client, { id, followStatus: true, stopOnTerminal: true });
      assert.equal((await stream.ended).code, GrpcStatus.OK);
      assert.deepEqual(stream.events.map(phaseOf), [P.SANDBOX_PHASE_ERROR]);
    });

    it('sends the event tail, the log tail, then live platform events and log lines', async () => {
      const sandbox = await h.create({ name: 'box' });
      const id = sandbox.metadata!.id;
      for (const reason of ['a', 'b', 'c']) h.statusSync.applyPlatformEvent(id, { timestampMs: 1, source: 's', type: 'Normal', reason, message: '', metadata: {} });
      logs.append(id, [{ timestampMs: 1, level: 'info', source: 'main', target: '', message: 'old', fields: {} }]);
      const stream = watch(client, { id, followEvents: true, eventTail: 2, followLogs: true, logTailLines: 10 });
      await stream.received(3);
      h.statusSync.applyPlatformEvent(id, { timestampMs: 2, source: 's', type: 'Normal', reason: 'd', message: '', metadata: {} });
      logs.append(id, [{ timestampMs: 2, level: 'info', source: 'main', target: '', message: 'new', fields: {} }]);
      await stream.received(5);
      const described = stream.events.map((e) => (e.payload?.$case === 'event' ? e.payload.event.reason : e.payload?.$case === 'log' ? e.payload.log.message : e.payload?.$case));
      assert.deepEqual(described, ['b', 'c', 'old', 'd', 'new']);
      stream.cancel();
      assert.equal((await stream.ended).code, GrpcStatus.CANCELLED);
    });

    it('without follow_status sends no status updates but still ends on delete', async () => {
      const sandbox = await h.create({ name: 'box' });
      const id = sandbox.metadata!.id;
      // A held log line gives a first message, which shows the stream is subscribed.
      logs.append(id, [{ timestampMs: 1, level: 'info', source: 'main', target: '', message: 'hello', fields: {} }]);
      const stream = watch(client, { id, followEvents: true, followLogs: true, logTailLines: 1 });
      await stream.received(1);
      await h.statusSync.applyBackendSandbox('fake', { ...h.drivers.client('fake').backend.get(id)!, status: backendNotReadyStatus('Crashed') });
      await h.service.delete('default', 'box');
      assert.equal((await stream.ended).code, GrpcStatus.OK);
      assert.deepEqual(stream.events.map((e) => e.payload?.$case), ['log', 'sandbox']);
      assert.equal(phaseOf(stream.events[1]), P.SANDBOX_PHASE_DELETING);
    });
  });

  describe('workspaces', () => {
    it('create, get, list, delete; bad names are INVALID_ARGUMENT, missing ones NOT_FOUND', async () => {
      await rejectsWith(call(client, 'createWorkspace', { name: 'Bad Name' }), GrpcStatus.INVALID_ARGUMENT, /name/);
      await call(client, 'createWorkspace', { name: 'team-a', labels: { env: 'dev' } });
      await rejectsWith(call(client, 'createWorkspace', { name: 'team-a' }), GrpcStatus.ALREADY_EXISTS, /team-a/);
      const got = await call<{ workspace: { metadata: { name: string } } }>(client, 'getWorkspace', { name: 'team-a' });
      assert.equal(got.workspace.metadata.name, 'team-a');
      const listed = await call<{ workspaces: { metadata: { name: string } }[] }>(client, 'listWorkspaces', { labelSelector: 'env=dev' });
      assert.deepEqual(listed.workspaces.map((w) => w.metadata.name), ['team-a']);
      await rejectsWith(call(client, 'getWorkspace', { name: 'nope' }), GrpcStatus.NOT_FOUND, /workspace "nope" not found/);
      await rejectsWith(call(client, 'deleteWorkspace', { name: 'nope' }), GrpcStatus.NOT_FOUND, /workspace "nope" not found/);
    });

    it('deleting an empty workspace deletes it in every driver', async () => {
      await call(client, 'createWorkspace', { name: 'team-a' });
      assert.equal((await call<{ deleted: boolean }>(client, 'deleteWorkspace', { name: 'team-a' })).deleted, true);
      assert.deepEqual(h.drivers.client('fake').callsTo('deleteWorkspace').map((c) => c.workspace), ['team-a']);
      assert.deepEqual(h.drivers.client('other').callsTo('deleteWorkspace').map((c) => c.workspace), ['team-a']);
    });

    it('a workspace with sandboxes is FAILED_PRECONDITION and the drivers keep it', async () => {
      await call(client, 'createWorkspace', { name: 'team-a' });
      await h.create({ name: 'box', workspace: 'team-a' });
      await rejectsWith(call(client, 'deleteWorkspace', { name: 'team-a' }), GrpcStatus.FAILED_PRECONDITION, /still has 1 sandbox/);
      assert.equal(h.drivers.client('fake').callsTo('deleteWorkspace').length, 0);
    });

    it('the default workspace cannot be deleted, and the drivers are not told to delete it', async () => {
      await rejectsWith(call(client, 'deleteWorkspace', { name: 'default' }), GrpcStatus.FAILED_PRECONDITION, /default workspace/);
      assert.equal(h.drivers.client('fake').callsTo('deleteWorkspace').length, 0);
      assert.equal(h.drivers.client('other').callsTo('deleteWorkspace').length, 0);
    });
  });

  describe('callback handlers', () => {
    it('serve Health and refuse management RPCs with PERMISSION_DENIED', async () => {
      const full = handlers;
      const info = { version: '9.9.9', computeDrivers: () => [], status: () => ServiceStatus.SERVICE_STATUS_HEALTHY };
      handlers = createCallbackHandlers({ auth: { bearerToken: TOKEN }, logger: h.logger }, info);
      try {
        // Sandboxes hold no API token: Health answers without one on a callback listener.
        await call(client, 'health', {}, null);
        await rejectsWith(call(client, 'createSandbox', { name: 'box' }, null), GrpcStatus.PERMISSION_DENIED, /CreateSandbox is not callable on a sandbox callback listener/);
        await rejectsWith(call(client, 'listSandboxes', {}, null), GrpcStatus.PERMISSION_DENIED, /ListSandboxes/);
        await rejectsWith(call(client, 'deleteWorkspace', { name: 'x' }, null), GrpcStatus.PERMISSION_DENIED, /DeleteWorkspace/);
        const stream = watch(client, { id: 'x' }, null);
        assert.equal((await stream.ended).code, GrpcStatus.PERMISSION_DENIED);
        assert.equal(await h.store.countSandboxes(), 0);
      } finally {
        handlers = full;
      }
    });
  });
});
