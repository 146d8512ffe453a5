import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { ExecSandboxRequest, SandboxPhase, type ExecSandboxEvent, type Sandbox } from '@shellgate/api';
import pg from 'pg';
import { ApiClient } from '../harness/api-client.js';
import { REPO_ROOT, SUPERVISOR_BIN } from '../harness/paths.js';
import { ReplicaCluster, type Replica } from './replica-cluster.js';

const SETTINGS = { leaseDurationMs: 3_000, leaseRenewIntervalMs: 500, reconcileIntervalMs: 1_000, heartbeatMs: 500 } as const;
/** A follower asks for the lease at least every second (LeaderElection), plus scheduling slack. */
const TAKEOVER_BOUND_MS = SETTINGS.leaseDurationMs + 1_000 + 1_000;
const SESSION_ANNOTATION = 'shellgate.dev/session-replica';
const SUITE_TIMEOUT_MS = 300_000;

const isReady = (sandbox: Sandbox): boolean => sandbox.status?.phase === SandboxPhase.SANDBOX_PHASE_READY;
const holderOf = (sandbox: Sandbox): string | undefined => sandbox.metadata?.annotations[SESSION_ANNOTATION];
const timeOf = (entry: Record<string, unknown>): number => Date.parse(String(entry.timestamp));

async function until<T>(what: string, withinMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + withinMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await delay(100);
  }
  throw new Error(`${what}: not within ${withinMs} ms${lastError === undefined ? '' : ` (last error: ${lastError instanceof Error ? lastError.message : JSON.stringify(lastError)})`}`);
}

/** Runs a command through a replica's API; stdout and the exit code. */
async function execVia(api: ApiClient, sandboxId: string, command: string[]): Promise<{ stdout: string; exitCode: number | undefined }> {
  const call = api.raw.execSandbox(ExecSandboxRequest.fromPartial({ sandboxId, command, timeoutSeconds: 20 }));
  return new Promise((resolve, reject) => {
    let stdout = '';
    let exitCode: number | undefined;
    call.on('data', (event: ExecSandboxEvent) => {
      if (event.payload?.$case === 'stdout') stdout += Buffer.from(event.payload.stdout.data).toString();
      if (event.payload?.$case === 'exit') exitCode = event.payload.exit.exitCode;
    });
    call.on('error', reject);
    call.on('end', () => resolve({ stdout, exitCode }));
  });
}

describe('gateway replicas on one Postgres', { timeout: SUITE_TIMEOUT_MS }, () => {
  let cluster: ReplicaCluster;
  const supervisors: ChildProcess[] = [];
  const api = (replica: Replica): ApiClient => new ApiClient(replica.gateway.address);

  /** The real supervisor on this host, for sandbox `sandboxId`, dialing `endpoint`. */
  function startSupervisor(sandboxId: string, endpoint: string): ChildProcess {
    const tokenFile = join(cluster.dir, `token-${sandboxId}`);
    writeFileSync(tokenFile, cluster.mintToken(sandboxId), { mode: 0o600 });
    const child = spawn(process.execPath, [SUPERVISOR_BIN], {
      stdio: 'ignore',
      env: { ...process.env, OPENSHELL_ENDPOINT: `http://${endpoint}`, OPENSHELL_SANDBOX_ID: sandboxId, OPENSHELL_SANDBOX_TOKEN_FILE: tokenFile, OPENSHELL_LOG_LEVEL: 'info' },
    });
    supervisors.push(child);
    return child;
  }

  async function leaseHolder(): Promise<{ holder: string; epoch: number } | undefined> {
    const client = new pg.Client({ connectionString: cluster.databaseUrl });
    await client.connect();
    try {
      const result = await client.query<{ holder: string; epoch: string; live: boolean }>(
        "SELECT holder, epoch, expires_at_ms > (extract(epoch from clock_timestamp()) * 1000)::bigint AS live FROM leases WHERE name = 'gateway-leader'",
      );
      const row = result.rows[0];
      return row?.live === true ? { holder: row.holder, epoch: Number(row.epoch) } : undefined;
    } finally {
      await client.end();
    }
  }

  async function liveLeader(): Promise<Replica> {
    return until('a live replica holds the leader lease', TAKEOVER_BOUND_MS * 2, async () => {
      const lease = await leaseHolder();
      return cluster.live().find((replica) => replica.id === lease?.holder);
    });
  }

  before(async () => {
    cluster = await ReplicaCluster.create(SETTINGS);
    for (let i = 0; i < 3; i += 1) await cluster.startReplica();
  });
  after(async () => {
    for (const child of supervisors) child.kill('SIGKILL');
    await cluster?.close();
  });

  it('a sandbox created through A, watched through B, execs through C on its session at A', async () => {
    const [a, b, c] = cluster.live() as [Replica, Replica, Replica];
    const created = await api(a).create({ name: 'relayed', spec: { template: { driverConfig: { supervised: {} } } } as never });
    const id = created.metadata!.id;
    const watched = api(b).watch(id, { stopOnTerminal: true, timeoutMs: 20_000 });
    startSupervisor(id, a.gateway.address);
    const events = await watched;
    const phases = events.map((event) => (event.payload?.$case === 'sandbox' ? event.payload.sandbox.status?.phase : undefined));
    assert.equal(phases.at(-1), SandboxPhase.SANDBOX_PHASE_READY, `B's watch ended Ready; saw ${JSON.stringify(phases)}`);
    assert.equal(holderOf(await api(c).get('relayed')), a.id, 'the session is recorded on A');
    const result = await execVia(api(c), id, ['echo', 'through the relay']);
    assert.deepEqual(result, { stdout: 'through the relay\n', exitCode: 0 });
    assert.ok(c.gateway.entries((entry) => entry.message === 'dialing replica relay' && entry.replica === a.id).length > 0, 'C relayed to A');
  });

  it('kill -9 of the replica holding a session: the supervisor reconnects through the shared address, Ready again, exec works', async () => {
    const [first] = cluster.live() as [Replica];
    const created = await api(first).create({ name: 'mover', spec: { template: { driverConfig: { supervised: {} } } } as never });
    const id = created.metadata!.id;
    startSupervisor(id, cluster.front.address);
    const ready = await api(first).waitFor('mover', (sandbox) => isReady(sandbox) && holderOf(sandbox) !== undefined, 20_000);
    const holder = cluster.live().find((replica) => replica.id === holderOf(ready))!;
    holder.gateway.child.kill('SIGKILL');
    await holder.gateway.waitForExit(5_000);
    const survivor = cluster.live()[0]!;
    const moved = await api(survivor).waitFor('mover', (sandbox) => isReady(sandbox) && holderOf(sandbox) !== undefined && holderOf(sandbox) !== holder.id, 30_000);
    const other = cluster.live().find((replica) => replica.id !== holderOf(moved)) ?? survivor;
    assert.deepEqual(await execVia(api(other), id, ['echo', 'after the move']), { stdout: 'after the move\n', exitCode: 0 });
    await cluster.startReplica();
  });

  it('kill -9 of the leader during 30 creates spread over the replicas: none lost or duplicated, a new leader within the lease time, reconcile on one replica at a time', async () => {
    const leader = await liveLeader();
    const replicas = cluster.live();
    const names = Array.from({ length: 30 }, (_, i) => `burst-${i}`);
    let killedAtMs = 0;
    const createOne = async (name: string, index: number): Promise<void> => {
      for (let attempt = 0; ; attempt += 1) {
        const targets = cluster.live();
        const target = attempt === 0 ? replicas[index % replicas.length]! : targets[(index + attempt) % targets.length]!;
        try {
          await api(target).create({ name });
          return;
        } catch (error) {
          const code = (error as ServiceError).code;
          if (code === GrpcStatus.ALREADY_EXISTS) return;
          if (attempt > 20) throw error;
          await delay(200);
        }
      }
    };
    const creates = Promise.all(names.map((name, index) => createOne(name, index)));
    await delay(30);
    killedAtMs = Date.now();
    leader.gateway.child.kill('SIGKILL');
    await creates;
    const next = await liveLeader();
    const electedAt = next.gateway.entries((entry) => entry.message === 'became leader').map(timeOf).find((t) => t >= killedAtMs);
    assert.ok(electedAt !== undefined && electedAt - killedAtMs <= TAKEOVER_BOUND_MS, `new leader after ${electedAt === undefined ? '?' : electedAt - killedAtMs} ms (lease ${SETTINGS.leaseDurationMs} ms)`);
    for (const replica of cluster.live()) {
      const listed = (await api(replica).list()).map((sandbox) => sandbox.metadata!.name).filter((name) => name.startsWith('burst-'));
      assert.deepEqual([...listed].sort(), [...names].sort(), `${replica.name} lists every burst sandbox once`);
    }
    const survivor = cluster.live()[0]!;
    for (const name of names) await api(survivor).waitFor(name, isReady, 20_000);
    const backendNames = readdirSync(join(cluster.dir, 'plain-backend'))
      .filter((file) => file.endsWith('.sandbox.json'))
      .map((file) => (JSON.parse(readFileSync(join(cluster.dir, 'plain-backend', file), 'utf8')) as { name: string }).name)
      .filter((name) => name.startsWith('burst-'));
    assert.deepEqual(backendNames.sort(), [...names].sort(), 'the backend holds each burst sandbox once');
    // Reconcile ran on one replica at a time: each sweep inside its replica's leadership.
    for (const replica of cluster.replicas) {
      const starts = replica.gateway.entries((entry) => entry.message === 'became leader').map(timeOf);
      const ends = replica.gateway.entries((entry) => String(entry.message).startsWith('leadership ended')).map(timeOf);
      if (replica === leader) ends.push(killedAtMs);
      for (const sweep of replica.gateway.entries((entry) => entry.message === 'reconcile sweep finished').map(timeOf)) {
        const term = starts.filter((start) => start <= sweep).at(-1);
        assert.ok(term !== undefined && !ends.some((end) => end > term && end < sweep), `${replica.name} swept at ${new Date(sweep).toISOString()} while not leader`);
      }
    }
    const sweepsSinceTakeover = cluster.live().filter((replica) => replica.gateway.entries((entry) => entry.message === 'reconcile sweep finished' && timeOf(entry) > (electedAt ?? 0)).length > 0);
    assert.deepEqual(sweepsSinceTakeover.map((replica) => replica.name), [next.name], 'only the new leader sweeps');
    await cluster.startReplica();
  });

  it('Postgres restarted under the replicas: UNAVAILABLE during the outage, full recovery, no acknowledged write lost', async () => {
    const replicas = cluster.live();
    const acknowledged: string[] = [];
    const outageErrors: string[] = [];
    const restart = spawn('bash', [join(REPO_ROOT, 'scripts/engines/postgres.sh'), 'restart'], { stdio: 'ignore' });
    const restarted = new Promise<number | null>((resolve) => restart.once('exit', resolve));
    let isRestarting = true;
    void restarted.then(() => {
      isRestarting = false;
    });
    let i = 0;
    while (isRestarting) {
      const replica = replicas[i % replicas.length]!;
      const name = `during-${i++}`;
      try {
        await api(replica).create({ name });
        acknowledged.push(name);
      } catch (error) {
        const failure = error as ServiceError;
        if (failure.code === GrpcStatus.UNAVAILABLE) outageErrors.push(failure.details);
      }
      await delay(50);
    }
    assert.equal(await restarted, 0, 'postgres.sh restart succeeded');
    for (const replica of replicas) {
      assert.equal(replica.gateway.exitCode, undefined, `${replica.name} survived the outage:\n${replica.gateway.lines.slice(-15).join('\n')}`);
    }
    assert.ok(outageErrors.length > 0, 'some call failed UNAVAILABLE while Postgres was down');
    assert.ok(outageErrors.some((details) => /database|postgres/i.test(details)), `an error names the database; saw ${JSON.stringify([...new Set(outageErrors)])}`);
    for (const replica of replicas) {
      await until(`${replica.name} creates again`, 30_000, async () => (await api(replica).create({ name: `after-${replica.name}` })) as Sandbox | undefined);
    }
    await liveLeader();
    for (const replica of replicas) {
      const listed = new Set((await api(replica).list()).map((sandbox) => sandbox.metadata!.name));
      for (const name of [...acknowledged, ...replicas.map((r) => `after-${r.name}`), 'relayed', 'mover', 'burst-0', 'burst-29']) {
        assert.ok(listed.has(name), `${replica.name} still lists ${name}`);
      }
    }
  });
});
