// Gateway replicas on Postgres (issue 16): create → Provisioning p50 and 100 concurrent
// creates/s through one gateway on SQLite (the baseline) and one on Postgres, the same
// in-memory fake driver on both, printed side by side with a PASS/MISS for Postgres p50 ≤ 1.5×
// SQLite p50. The three-replica throughput and the failover time are replica-failover.ts
// (measureCreates is exported for it).
// Needs SHELLGATE_TEST_POSTGRES_URL (scripts/engines/postgres.sh start; eval "$(scripts/engines/postgres.sh env)");
// without it, it prints "skipped". Alone: node bench/dist/store-replicas.js
import { randomBytes } from 'node:crypto';

import { credentials } from '@grpc/grpc-js';
import { OpenShellClient, SandboxPhase } from '@shellgate/api';
import pg from 'pg';

import { ApiCalls, sample, timeBurst } from './gateway-api.js';
import { BenchGateway, fakeDriverTable } from './gateway-process.js';
import { busyCores, readMachineCpu } from './machine-cpu.js';
import { ReplicaFiles } from './replica-files.js';
import { formatMs, formatRatio, isMainModule, percentile, printTable, printVerdict, runBench } from './report.js';

export const TEST_POSTGRES_URL_ENV = 'SHELLGATE_TEST_POSTGRES_URL';
const SEQUENTIAL_CREATES = 200;
const CONCURRENT_CREATES = 100;
const CONCURRENT_ROUNDS = 3;
/** Issue 16 target: Postgres within 1.5× of SQLite at p50. */
const POSTGRES_P50_FACTOR_TARGET = 1.5;

/** A database of its own on the test server for one run; `drop()` removes it. */
export interface BenchDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(serverUrl: string): Promise<BenchDatabase> {
  const name = `sg_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop(): Promise<void> {
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/**
 * The driver of both single-replica rows: the fake one with its sandboxes in memory, so the
 * store is all that differs between them. `shared_backend = true` is what a Postgres gateway
 * (a replica) asks of its drivers; with one replica it holds, and a SQLite gateway ignores it.
 */
function singleReplicaDriverTable(): string[] {
  return [...fakeDriverTable(), 'shared_backend = true'];
}

/**
 * A gateway with the in-memory fake driver on SQLite (`databaseUrl` undefined) or on that
 * Postgres database; `settings` are more gateway.toml lines (e.g. `database_synchronous_commit = "off"`).
 */
function startStoreGateway(databaseUrl: string | undefined, settings: readonly string[] = [], replicas?: ReplicaFiles): Promise<BenchGateway> {
  if (databaseUrl === undefined) return BenchGateway.start({ settings, driverTable: singleReplicaDriverTable });
  if (replicas === undefined) throw new Error('a gateway on Postgres is a replica: pass the ReplicaFiles it shares');
  return replicas.start(databaseUrl, settings, singleReplicaDriverTable());
}

export interface CreateFigures {
  /** Sequential CreateSandbox round trips, ms. */
  readonly createMs: readonly number[];
  /** Creates per second of each burst of CONCURRENT_CREATES. */
  readonly burstPerSecond: readonly number[];
  /** Phases the sequential creates answered, e.g. `SANDBOX_PHASE_PROVISIONING ×200`. */
  readonly phases: string;
  /** Cores the whole machine kept busy during the bursts (gateways, drivers, Postgres, this client). */
  readonly burstBusyCores: number;
}

/** Sequential creates (after a warm-up), then bursts of 100 at once, spread over `apis` round-robin. */
export async function measureCreates(apis: readonly ApiCalls[]): Promise<CreateFigures> {
  let next = 0;
  const pick = (): ApiCalls => apis[next++ % apis.length]!;
  const phases = new Map<string, number>();
  const createMs = await sample(SEQUENTIAL_CREATES, async () => {
    const phase = SandboxPhase[(await pick().create()).status?.phase ?? SandboxPhase.SANDBOX_PHASE_UNKNOWN];
    phases.set(phase, (phases.get(phase) ?? 0) + 1);
  });
  const burstPerSecond: number[] = [];
  const cpuBefore = await readMachineCpu();
  for (let round = 0; round < CONCURRENT_ROUNDS; round++) {
    burstPerSecond.push((CONCURRENT_CREATES * 1000) / (await timeBurst(CONCURRENT_CREATES, () => pick().create())));
  }
  const burstBusyCores = busyCores(cpuBefore, await readMachineCpu());
  return { createMs, burstPerSecond, phases: [...phases].map(([phase, count]) => `${phase} ×${count}`).join(', '), burstBusyCores };
}

async function measureOne(databaseUrl: string | undefined, settings: readonly string[] = []): Promise<CreateFigures> {
  await using replicas = databaseUrl === undefined ? undefined : await ReplicaFiles.create();
  await using gateway = await startStoreGateway(databaseUrl, settings, replicas);
  const client = new OpenShellClient(gateway.address, credentials.createInsecure());
  try {
    return await measureCreates([new ApiCalls(client)]);
  } finally {
    client.close();
  }
}

function row(label: string, figures: CreateFigures, baseline: CreateFigures): string[] {
  const p50 = percentile(figures.createMs, 0.5);
  const perSecond = percentile(figures.burstPerSecond, 0.5);
  return [
    label,
    formatMs(p50),
    formatMs(percentile(figures.createMs, 0.99)),
    formatRatio(p50, percentile(baseline.createMs, 0.5)),
    perSecond.toFixed(0),
    figures.burstPerSecond.map((value) => value.toFixed(0)).join(' / '),
  ];
}

/** Runs the single-replica store comparison and prints its table and verdict. */
export async function runStoreReplicasBench(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const serverUrl = env[TEST_POSTGRES_URL_ENV];
  if (serverUrl === undefined || serverUrl === '') {
    process.stdout.write(`\n  skipped: no Postgres (run scripts/engines/postgres.sh start, then eval "$(scripts/engines/postgres.sh env)")\n`);
    return;
  }
  const sqlite = await measureOne(undefined);
  const postgres = await measureOnFreshDatabase(serverUrl, []);
  const postgresAsync = await measureOnFreshDatabase(serverUrl, ['database_synchronous_commit = "off"']);
  printTable(`Gateway store, one replica, the same in-memory fake driver on both stores (${SEQUENTIAL_CREATES} sequential creates after warm-up; ${CONCURRENT_ROUNDS} bursts of ${CONCURRENT_CREATES})`, [
    ['store', 'create p50', 'create p99', 'p50 vs SQLite', 'creates/s (median)', 'creates/s (each burst)'],
    row('SQLite (baseline)', sqlite, sqlite),
    row('Postgres (default: WAL flushed per commit)', postgres, sqlite),
    row('Postgres, synchronous_commit off', postgresAsync, sqlite),
  ]);
  process.stdout.write(`  phase returned by sequential creates: SQLite ${sqlite.phases}; Postgres ${postgres.phases}; off ${postgresAsync.phases}\n`);
  // SQLite's default (synchronous=normal) does not flush per commit either; the default
  // Postgres row pays a WAL flush on every write, a different durability class.
  process.stdout.write('  like for like: SQLite synchronous=normal and Postgres synchronous_commit=off both skip the per-commit flush\n');
  const sqliteP50 = percentile(sqlite.createMs, 0.5);
  for (const [label, figures] of [['Postgres (synchronous_commit off)', postgresAsync], ['Postgres (default)', postgres]] as const) {
    const p50 = percentile(figures.createMs, 0.5);
    printVerdict(`${label} create → Provisioning p50 vs SQLite`, `${formatMs(p50)} vs ${formatMs(sqliteP50)} (${formatRatio(p50, sqliteP50)})`, p50 <= sqliteP50 * POSTGRES_P50_FACTOR_TARGET, `≤ ${POSTGRES_P50_FACTOR_TARGET}×`);
  }
}

async function measureOnFreshDatabase(serverUrl: string, settings: readonly string[]): Promise<CreateFigures> {
  const database = await createBenchDatabase(serverUrl);
  try {
    return await measureOne(database.url, settings);
  } finally {
    await database.drop();
  }
}

if (isMainModule(import.meta.url)) {
  await runBench('store replicas benchmark', () => runStoreReplicasBench());
}
