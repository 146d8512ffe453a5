import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { OpenShellService, ServiceStatus, type ComputeDriverInfo, type OpenShellServer } from '@shellgate/api';
import { SupervisorSessionService, type SupervisorSessionServer } from '@shellgate/api/session';
import { ErrorCode, GATEWAY_ID_ENV, GATEWAY_PORT_ENV, GATEWAY_SCHEME_ENV, GATEWAY_STATE_DIR_ENV, ShellgateError, isShellgateError, type Logger } from '@shellgate/driver-sdk';
import {
  PublicServer,
  createCallbackHandlers,
  createDeferredHandlers,
  createOpenShellHandlers,
  resolveCallbackListeners,
  splitHostPort,
  type ApiAuthPolicy,
  type GatewayInfoSource,
} from '../api/index.js';
import type { GatewayConfig } from '../config/index.js';
import { DriverManager, prepareDriverRunRoot, selectDrivers, toDriverManagerOptions } from '../drivers/index.js';
import { SandboxIdentity } from '../identity/index.js';
import {
  DriverWatcher,
  SandboxEventBus,
  SandboxLifecycle,
  SandboxService,
  SandboxStatusSync,
  SessionRegistry,
  StoreChangeRelay,
} from '../sandboxes/index.js';
import { ExecBroker, SandboxExecService, SandboxLogStore, SupervisorHub, createSupervisorSessionHandlers } from '../supervision/index.js';
import { assertDriversReplicable, splitDriverSharing } from '../replicas/index.js';
import { loadTelemetry, reportSandboxMetrics, toRpcTelemetry } from '../telemetry/index.js';
import { GatewayReplica, isReplicated } from './gateway-replica.js';
import { gatewayStatePaths, prepareGatewayState, readAuthToken, requireSharedIdentity } from './gateway-state.js';
import { ManagedDriverDirectory, REQUIRES_SUPERVISOR_KEY } from './managed-driver-directory.js';
import { openConfiguredStore } from './open-configured-store.js';

/** This package's version, reported by Health and GetGatewayInfo. */
export const GATEWAY_VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;

/**
 * A running gateway: store, drivers, sandbox layer and API, started in dependency order and
 * stopped in reverse. Anything that fails during start is closed again before the error
 * propagates, so a failed start leaves no driver process behind.
 */
export class GatewayApp {
  private readonly closers: Array<() => Promise<void>> = [];
  private closing: Promise<void> | undefined;
  private lifecycle: SandboxLifecycle | undefined;
  private replica: GatewayReplica | undefined;
  private server: PublicServer | undefined;
  private supervisors: SupervisorHub | undefined;

  private constructor(
    private readonly config: GatewayConfig,
    private readonly logger: Logger,
  ) {}

  /** The API's bound address (useful with port 0). */
  get address(): string {
    return this.server === undefined ? '' : `${this.server.host}:${this.server.port}`;
  }

  static async start(config: GatewayConfig, logger: Logger): Promise<GatewayApp> {
    const app = new GatewayApp(config, logger);
    try {
      await app.startParts();
      return app;
    } catch (error) {
      await app.close();
      throw error;
    }
  }

  private async startParts(): Promise<void> {
    const { config, logger } = this;
    const auth = resolveAuthPolicy(config);
    const paths = gatewayStatePaths(config.stateDir);
    if (isReplicated(config)) requireSharedIdentity(paths);
    const gatewayId = prepareGatewayState(paths);
    const { store, storage, isDegraded: isStoreDegraded } = await openConfiguredStore(config.database, config.origins, logger);
    this.closers.push(async () => storage?.close());
    this.closers.push(() => store.close());
    if (isReplicated(config)) this.replica = new GatewayReplica(config, store, logger);
    const identity = SandboxIdentity.loadOrCreate(paths.signingKeyFile, gatewayId);
    // Before the drivers: their clients report calls to it.
    const telemetry = await loadTelemetry({ env: process.env, logger: logger.child({ component: 'telemetry' }) });
    if (telemetry !== undefined) this.closers.push(() => telemetry.close());

    // The API is bound first (answering UNAVAILABLE until ready) so drivers can be told its port.
    const primary = createDeferredHandlers<OpenShellServer>(OpenShellService);
    const callbacks = createDeferredHandlers<OpenShellServer>(OpenShellService);
    const supervisorSessions = createDeferredHandlers<SupervisorSessionServer>(SupervisorSessionService);
    const isTls = config.tlsCertFile !== undefined && config.tlsKeyFile !== undefined;
    this.server = await PublicServer.start({
      listen: config.listen,
      tls: isTls ? { certFile: config.tlsCertFile, keyFile: config.tlsKeyFile, clientCaFile: config.tlsClientCaFile } : undefined,
      handlers: primary.handlers,
      callbackHandlers: callbacks.handlers,
      supervisorHandlers: supervisorSessions.handlers,
      logger,
    });

    const selection = selectDrivers(config, { logger });
    const requiresSupervisor = new Map<string, boolean>();
    const replica = this.replica;
    const sharing = splitDriverSharing(selection.drivers);
    if (replica !== undefined) assertDriversReplicable(sharing);
    const drivers = sharing.map(({ spec }) => {
      const { [REQUIRES_SUPERVISOR_KEY]: requires, ...driverConfig } = spec.driverConfig;
      requiresSupervisor.set(spec.name, requires !== false);
      return { ...spec, driverConfig };
    });
    const driversLogger = logger.child({ component: 'drivers' });
    const managerOptions = { ...toDriverManagerOptions(config, driversLogger), ...(telemetry !== undefined && { observeCalls: (driver: string) => telemetry.traceDriverCalls(driver) }) };
    await prepareDriverRunRoot(managerOptions.runRoot, { logger: driversLogger });
    const manager = new DriverManager(
      { ...selection, drivers },
      {
        ...managerOptions,
        env: { [GATEWAY_ID_ENV]: gatewayId, [GATEWAY_PORT_ENV]: String(this.server.port), [GATEWAY_SCHEME_ENV]: isTls ? 'https' : 'http', [GATEWAY_STATE_DIR_ENV]: resolve(config.stateDir) },
      },
    );
    this.closers.push(() => manager.close());
    if (telemetry !== undefined) {
      telemetry.declareDrivers(manager.list().map((driver) => driver.name));
      manager.onDriverRestarted((driver) => telemetry.recordDriverRestart(driver.name));
    }
    await manager.start();
    const directory = new ManagedDriverDirectory(manager, selection.defaultDriverName, requiresSupervisor);

    const sessions = new SessionRegistry();
    const events = new SandboxEventBus();
    const sandboxLogger = logger.child({ component: 'sandboxes' });
    // Other replicas' writes (Postgres) reach this replica's watchers; SQLite sends none.
    const relay = new StoreChangeRelay({ store, events, logger: sandboxLogger });
    this.closers.push(async () => relay.close());
    const statusSync = new SandboxStatusSync({ store, drivers: directory, sessions, events, logger: sandboxLogger, replicas: replica?.statusOptions });
    const sandboxes = new SandboxService({ store, drivers: directory, identity, events, statusSync, logger: sandboxLogger });
    const watcher = new DriverWatcher({
      drivers: directory,
      store,
      statusSync,
      logger,
      reconcileIntervalMs: config.reconcileIntervalMs,
      orphanGraceMs: config.orphanGraceMs,
      ...(telemetry !== undefined && { onWatchReconnect: (driver: string) => telemetry.recordWatchReconnect(driver) }),
      leaderStore: replica === undefined ? undefined : () => replica.leaderStore(),
    });
    this.closers.push(() => watcher.close());
    // A replica that wins the lease at once sweeps as the new leader (LeaderDuties), not twice.
    if (replica !== undefined) {
      this.closers.push(() => replica.close());
      await replica.election.start();
    }
    await watcher.start({ initialSweep: replica === undefined });
    this.lifecycle = new SandboxLifecycle({ store, drivers: directory, statusSync, logger, concurrency: config.shutdownStopConcurrency });
    if (replica === undefined) {
      const restarted = await this.lifecycle.startAllAfterStartup();
      if (restarted > 0) logger.info('started sandboxes stopped by the last gateway shutdown', { count: restarted });
    }

    const supervisionLogger = logger.child({ component: 'supervision' });
    const logs = new SandboxLogStore({ lines: config.sandboxLogBufferLines, bytes: config.sandboxLogBufferBytes });
    const execs = new ExecBroker({ identity, logger: supervisionLogger });
    this.supervisors = new SupervisorHub({
      identity,
      store,
      sessions,
      statusSync,
      events,
      logs,
      execs,
      heartbeatMs: config.supervisorHeartbeatMs,
      logger: supervisionLogger,
    });
    const exec = new SandboxExecService({
      store,
      hub: this.supervisors,
      execs,
      remote: replica?.peers,
      logger: supervisionLogger,
      ...(telemetry !== undefined && { onExecStarted: (driver: string, seconds: number) => telemetry.recordExecStart(driver, seconds) }),
    });
    await replica?.startServing({ watcher, lifecycle: this.lifecycle, statusSync, events, logs, exec, hub: this.supervisors });

    if (telemetry !== undefined) {
      const stopSandboxMetrics = reportSandboxMetrics(telemetry, store, events);
      this.closers.push(async () => stopSandboxMetrics());
    }

    const info = gatewayInfoSource(manager, isStoreDegraded);
    const scope = { auth, logger: logger.child({ component: 'api' }), ...(telemetry !== undefined && toRpcTelemetry(telemetry)) };
    const handlers = createOpenShellHandlers({ ...scope, sandboxes, store, events, info, logs, exec, remote: replica?.peers });
    primary.activate(handlers);
    callbacks.activate(createCallbackHandlers(scope, info));
    supervisorSessions.activate(createSupervisorSessionHandlers(this.supervisors, execs));
    await this.bindCallbackListeners(manager, this.server);
    this.server.markServing();
    logger.info('gateway ready', { address: this.address, drivers: directory.names(), defaultDriver: directory.defaultDriverName, gatewayId });
  }

  private async bindCallbackListeners(manager: DriverManager, server: PublicServer): Promise<void> {
    for (const driver of manager.list()) {
      let requirements;
      try {
        requirements = (await driver.client.getGatewayListenerRequirements()).requirements;
      } catch (error) {
        if (isShellgateError(error) && error.code === ErrorCode.Unimplemented) continue;
        throw error;
      }
      for (const listener of resolveCallbackListeners(driver.name, requirements, server.port)) {
        await server.addCallbackListener(listener);
      }
    }
  }

  /**
   * Graceful stop: supervisor sessions are ended (they never finish on their own), then the
   * API (in-flight calls finish within the grace), then sandboxes of lifecycle-managed
   * drivers are stopped (they stay "should run"), then drivers and store.
   */
  async close(): Promise<void> {
    this.closing ??= (async () => {
      this.supervisors?.close();
      if (this.server !== undefined) await this.server.close(this.config.shutdownGraceMs);
      if (this.lifecycle !== undefined && (this.replica === undefined || (await this.replica.isLastReplica()))) {
        const stopped = await this.lifecycle.stopAllForShutdown();
        if (stopped > 0) this.logger.info('stopped sandboxes for gateway shutdown; they start again with the gateway', { count: stopped });
      }
      for (const close of this.closers.reverse()) {
        try {
          await close();
        } catch (error) {
          this.logger.error('shutdown step failed', { error: String(error) });
        }
      }
    })();
    return this.closing;
  }
}

/** Health is DEGRADED while a driver is unreachable, SQLite's storage is full or Postgres cannot be reached. */
function gatewayInfoSource(manager: DriverManager, isStoreDegraded: () => boolean): GatewayInfoSource {
  return {
    version: GATEWAY_VERSION,
    computeDrivers: (): ComputeDriverInfo[] =>
      manager.list().map((driver) => ({
        name: driver.name,
        capabilities: {
          driverName: driver.capabilities?.driverName ?? '',
          driverVersion: driver.capabilities?.driverVersion ?? '',
        },
      })),
    status: (): ServiceStatus =>
      manager.list().every((driver) => driver.isAvailable) && !isStoreDegraded() ? ServiceStatus.SERVICE_STATUS_HEALTHY : ServiceStatus.SERVICE_STATUS_DEGRADED,
  };
}

const LOOPBACK_HOSTS = new Set(['localhost', '::1']);

/** Refuses an unauthenticated non-loopback listener unless the operator said so explicitly. */
function resolveAuthPolicy(config: GatewayConfig): ApiAuthPolicy {
  const bearerToken = config.authTokenFile === undefined ? undefined : readAuthToken(config.authTokenFile);
  const { host } = splitHostPort(config.listen);
  const isLoopback = LOOPBACK_HOSTS.has(host) || host.startsWith('127.');
  const hasAuth = bearerToken !== undefined || config.tlsClientCaFile !== undefined;
  if (!isLoopback && !hasAuth && !config.allowUnauthenticated) {
    throw new ShellgateError(ErrorCode.FailedPrecondition, `refusing to serve the API on ${config.listen} without authentication`, {
      hint: 'set auth_token_file or tls_client_ca_file, listen on 127.0.0.1, or pass --allow-unauthenticated if the network is trusted',
      details: { origin: config.origins.listen },
    });
  }
  if ((config.tlsCertFile === undefined) !== (config.tlsKeyFile === undefined)) {
    throw new ShellgateError(ErrorCode.InvalidArgument, 'tls_cert_file and tls_key_file must be set together', {
      hint: `check ${config.origins.tls_cert_file} and ${config.origins.tls_key_file}`,
    });
  }
  return { bearerToken };
}
