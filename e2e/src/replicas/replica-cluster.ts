import { createPrivateKey, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { GatewayProcess } from '../harness/gateway-process.js';
import { FAKE_DRIVER_BIN } from '../harness/paths.js';

/** Where `scripts/engines/postgres.sh start` serves (`postgres.sh env` prints it). */
export const TEST_POSTGRES_URL_ENV = 'SHELLGATE_TEST_POSTGRES_URL';

export interface ClusterSettings {
  readonly leaseDurationMs: number;
  readonly leaseRenewIntervalMs: number;
  readonly reconcileIntervalMs: number;
  readonly heartbeatMs: number;
}

/** One gateway replica as the tests see it. */
export interface Replica {
  readonly gateway: GatewayProcess;
  /** Its replica id, from its "replica serving" log line. */
  readonly id: string;
  readonly name: string;
}

/**
 * Several `shellgate-gateway` replicas on one fresh Postgres database, sharing what
 * replicas must share (gateway id, signing key, relay secret) and one fake-driver backend
 * (a shared state directory, the way a cluster is shared), plus a TCP front (`front`) that
 * spreads connections over the live replicas as a Service would.
 */
export class ReplicaCluster {
  readonly replicas: Replica[] = [];
  readonly front: RoundRobinFront;
  private next = 0;

  private constructor(
    readonly dir: string,
    readonly databaseUrl: string,
    private readonly dropDatabase: () => Promise<void>,
    private readonly gatewayId: string,
    private readonly settings: ClusterSettings,
  ) {
    this.front = new RoundRobinFront(() => this.live().map((replica) => replica.gateway.address));
  }

  /** Creates the database and shared files; fails (never skips) without the test server. */
  static async create(settings: ClusterSettings): Promise<ReplicaCluster> {
    const serverUrl = process.env[TEST_POSTGRES_URL_ENV];
    if (serverUrl === undefined || serverUrl === '') {
      throw new Error(`${TEST_POSTGRES_URL_ENV} is not set: run scripts/engines/postgres.sh start, then eval "$(bash scripts/engines/postgres.sh env)"`);
    }
    const name = `sg_replicas_${randomBytes(6).toString('hex')}`;
    await withAdmin(serverUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const dir = mkdtempSync(join(tmpdir(), 'sg-replicas-'));
    const gatewayId = randomUUID();
    writeFileSync(join(dir, 'gateway-id'), `${gatewayId}\n`, { mode: 0o600 });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(join(dir, 'signing-key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(join(dir, 'replica-secret'), randomBytes(24).toString('hex'), { mode: 0o600 });
    const cluster = new ReplicaCluster(dir, url.toString(), async () => {
      await withAdmin(serverUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    }, gatewayId, settings);
    await cluster.front.listen();
    return cluster;
  }

  live(): Replica[] {
    return this.replicas.filter((replica) => replica.gateway.exitCode === undefined);
  }

  /** Starts one more replica with its own state dir holding copies of the shared identity. */
  async startReplica(): Promise<Replica> {
    const name = `r${this.next++}`;
    const stateDir = join(this.dir, name);
    mkdirSync(join(stateDir, 'keys'), { recursive: true, mode: 0o700 });
    copyFileSync(join(this.dir, 'gateway-id'), join(stateDir, 'gateway-id'));
    copyFileSync(join(this.dir, 'signing-key.pem'), join(stateDir, 'keys', 'sandbox-signing-key.pem'));
    const { leaseDurationMs, leaseRenewIntervalMs, reconcileIntervalMs, heartbeatMs } = this.settings;
    const driver = (table: string, requiresSupervisor: boolean): string[] => [
      `[drivers.${table}]`,
      `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(FAKE_DRIVER_BIN)}]`,
      `requires_supervisor = ${requiresSupervisor}`,
      'shared_backend = true',
      `shared_state_dir = ${JSON.stringify(join(this.dir, `${table}-backend`))}`,
    ];
    const gateway = await GatewayProcess.start({
      stateDir,
      configToml: [
        `database = ${JSON.stringify(this.databaseUrl)}`,
        'replica_listen = "127.0.0.1:0"',
        `replica_secret_file = ${JSON.stringify(join(this.dir, 'replica-secret'))}`,
        `lease_duration_ms = ${leaseDurationMs}`,
        `lease_renew_interval_ms = ${leaseRenewIntervalMs}`,
        `reconcile_interval_ms = ${reconcileIntervalMs}`,
        `supervisor_heartbeat_ms = ${heartbeatMs}`,
        'default_driver = "plain"',
        ...driver('plain', false),
        ...driver('supervised', true),
      ].join('\n'),
      readyTimeoutMs: 30_000,
    });
    const serving = gateway.entries((entry) => entry.message === 'replica serving')[0];
    const replica = { gateway, id: typeof serving?.replicaId === 'string' ? serving.replicaId : '', name };
    this.replicas.push(replica);
    return replica;
  }

  /** A sandbox token as the gateway mints it (EdDSA JWT signed with the shared key). */
  mintToken(sandboxId: string): string {
    const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const header = encode({ alg: 'EdDSA', typ: 'JWT' });
    const payload = encode({ gw: this.gatewayId, sub: sandboxId, aud: 'shellgate-supervisor', iss: `shellgate-gateway:${this.gatewayId}`, iat: Math.floor(Date.now() / 1000) });
    const key = createPrivateKey(readFileSync(join(this.dir, 'signing-key.pem')));
    return `${header}.${payload}.${sign(null, Buffer.from(`${header}.${payload}`), key).toString('base64url')}`;
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.gateway.stop('SIGTERM', 10_000)));
    await this.front.close();
    await this.dropDatabase().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function withAdmin(serverUrl: string, run: (admin: pg.Client) => Promise<unknown>): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await run(admin);
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/**
 * The shared address in front of the replicas: each new TCP connection goes to the next
 * live replica in turn, and to the one after when that one refuses. Supervisors dial it,
 * so after a replica dies they reconnect to another one.
 */
export class RoundRobinFront {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private turn = 0;
  address = '';

  constructor(private readonly backends: () => string[]) {
    this.server = createServer((client) => this.route(client, 0));
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const bound = this.server.address();
    this.address = typeof bound === 'object' && bound !== null ? `127.0.0.1:${bound.port}` : '';
  }

  private route(client: Socket, attempt: number): void {
    const backends = this.backends();
    if (backends.length === 0 || attempt >= backends.length) {
      client.destroy();
      return;
    }
    const target = backends[this.turn++ % backends.length]!;
    const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
    const upstream = connect({ host, port });
    let isConnected = false;
    upstream.once('error', () => {
      if (!isConnected) this.route(client, attempt + 1);
    });
    upstream.once('connect', () => {
      isConnected = true;
      this.sockets.add(client);
      this.sockets.add(upstream);
      client.pipe(upstream).pipe(client);
      const end = (): void => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.once('close', end);
      upstream.once('close', end);
      client.once('error', end);
      upstream.on('error', end);
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
