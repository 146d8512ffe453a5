import { Metadata, credentials } from '@grpc/grpc-js';
import { OpenShellClient, ServiceStatus, SandboxPhase, type Sandbox } from '@shellgate/api';
import { SupervisorSessionClient } from '@shellgate/api/session';
import { PublicServer, createCallbackHandlers, createOpenShellHandlers } from '../../api/index.js';
import { backendReadyStatus, createSandboxHarness, nextPhase, type SandboxHarness } from '../../sandboxes/testing/index.js';
import { ExecBroker } from '../exec-broker.js';
import { SandboxExecService } from '../sandbox-exec-service.js';
import { SandboxLogStore } from '../sandbox-log-store.js';
import { createSupervisorSessionHandlers } from '../supervisor-session-handlers.js';
import { SupervisorHub } from '../supervisor-hub.js';
import { FakeSupervisor } from './fake-supervisor.js';

/** The API bearer token of the fixture's primary listener. */
export const FIXTURE_API_TOKEN = 'fixture-bearer-token';

export interface SupervisionFixtureOptions {
  readonly heartbeatMs?: number;
  readonly logBufferLines?: number;
  readonly attachTimeoutMs?: number;
  readonly helloTimeoutMs?: number;
  /** Told of each exec's start latency, as telemetry is. */
  readonly onExecStarted?: (driver: string, seconds: number) => void;
}

/** What a test's hello says besides the sandbox id (default: the sandbox's own token, instance-1). */
export interface ConnectOptions {
  readonly token?: string;
  readonly instanceId?: string;
  readonly resumeOnlyIfFree?: boolean;
}

/** A sandbox that is Ready with a connected fake supervisor. */
export interface ReadySandbox {
  readonly sandbox: Sandbox;
  readonly id: string;
  readonly token: string;
  readonly supervisor: FakeSupervisor;
}

/**
 * The supervision layer served for real: the sandbox harness (SQLite store, fake drivers),
 * the hub, broker and services, behind a PublicServer on 127.0.0.1 whose OpenShell API
 * requires a bearer token. Tests talk to it with a real OpenShellClient and real
 * SupervisorSessionClients.
 */
export interface SupervisionFixture {
  readonly h: SandboxHarness;
  readonly hub: SupervisorHub;
  readonly execs: ExecBroker;
  readonly logs: SandboxLogStore;
  readonly server: PublicServer;
  readonly openShell: OpenShellClient;
  readonly supervisorClient: SupervisorSessionClient;
  /** Call metadata with the API bearer token. */
  metadata(): Metadata;
  /** Opens a session for `sandboxId` with its own token unless `token` is given. */
  connect(sandboxId: string, options?: ConnectOptions): Promise<FakeSupervisor>;
  /** Creates a sandbox, reports it backend-Ready and connects its supervisor; resolves once Ready. */
  readySandbox(name?: string): Promise<ReadySandbox>;
  close(): Promise<void>;
}

export async function startSupervisionFixture(options: SupervisionFixtureOptions = {}): Promise<SupervisionFixture> {
  const h = await createSandboxHarness({ drivers: [{ name: 'fake' }, { name: 'nosup', requiresSupervisor: false }] });
  const logger = h.logger;
  const logs = new SandboxLogStore({ lines: options.logBufferLines ?? 10_000, bytes: 4 * 1024 * 1024 });
  const execs = new ExecBroker({ identity: h.identity, logger, attachTimeoutMs: options.attachTimeoutMs });
  const hub = new SupervisorHub({
    identity: h.identity,
    store: h.store,
    sessions: h.sessions,
    statusSync: h.statusSync,
    events: h.events,
    logs,
    execs,
    heartbeatMs: options.heartbeatMs ?? 15_000,
    helloTimeoutMs: options.helloTimeoutMs,
    logger,
  });
  const exec = new SandboxExecService({ store: h.store, hub, execs, logger, ...(options.onExecStarted !== undefined && { onExecStarted: options.onExecStarted }) });
  const info = { version: '9.9.9', computeDrivers: () => [], status: () => ServiceStatus.SERVICE_STATUS_HEALTHY };
  const scope = { auth: { bearerToken: FIXTURE_API_TOKEN }, logger };
  const server = await PublicServer.start({
    listen: '127.0.0.1:0',
    tls: undefined,
    handlers: createOpenShellHandlers({ ...scope, sandboxes: h.service, store: h.store, events: h.events, info, logs, exec }),
    callbackHandlers: createCallbackHandlers(scope, info),
    supervisorHandlers: createSupervisorSessionHandlers(hub, execs),
    logger,
  });
  const address = `127.0.0.1:${server.port}`;
  const openShell = new OpenShellClient(address, credentials.createInsecure());
  const supervisorClient = new SupervisorSessionClient(address, credentials.createInsecure());

  const connect = async (sandboxId: string, connectOptions: ConnectOptions = {}): Promise<FakeSupervisor> => {
    const token = connectOptions.token ?? (await h.identity.mintToken(sandboxId));
    const instanceId = connectOptions.instanceId ?? 'instance-1';
    return FakeSupervisor.connect(supervisorClient, { sandboxId, token, instanceId, resumeOnlyIfFree: connectOptions.resumeOnlyIfFree ?? false });
  };
  return {
    h,
    hub,
    execs,
    logs,
    server,
    openShell,
    supervisorClient,
    metadata: () => {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${FIXTURE_API_TOKEN}`);
      return metadata;
    },
    connect,
    readySandbox: async (name = 'box') => {
      const sandbox = await h.create({ name });
      const id = sandbox.metadata!.id;
      await h.statusSync.applyBackendSandbox('fake', { ...h.drivers.client('fake').backend.get(id)!, status: backendReadyStatus() });
      const ready = nextPhase(h.events, id, SandboxPhase.SANDBOX_PHASE_READY);
      const token = await h.identity.mintToken(id);
      const supervisor = await connect(id, { token });
      await supervisor.welcome();
      await ready;
      return { sandbox, id, token, supervisor };
    },
    close: async () => {
      hub.close();
      openShell.close();
      supervisorClient.close();
      await server.close(1_000);
      await h.close();
    },
  };
}
