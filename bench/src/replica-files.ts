// What gateway replicas on one Postgres share (docs/replicas.md), made once per benchmark run:
// the gateway id and sandbox signing key every replica's state dir gets a copy of, the relay
// secret, and one fake-driver backend directory (shared the way a cluster is).
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { BenchGateway, FAKE_DRIVER_BIN, READY_DELAY_MS } from './gateway-process.js';

export class ReplicaFiles implements AsyncDisposable {
  private constructor(readonly dir: string) {}

  static async create(): Promise<ReplicaFiles> {
    const dir = await mkdtemp(path.join(tmpdir(), 'sg-bench-replicas-'));
    await writeFile(path.join(dir, 'gateway-id'), `${randomUUID()}\n`, { mode: 0o600 });
    await writeFile(path.join(dir, 'signing-key.pem'), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    await writeFile(path.join(dir, 'replica-secret'), randomBytes(24).toString('hex'), { mode: 0o600 });
    return new ReplicaFiles(dir);
  }

  /**
   * One replica on `databaseUrl`; `settings` are more gateway.toml lines. The driver is the
   * fake one with the backend directory every replica shares, unless `driverTable` says otherwise.
   */
  start(databaseUrl: string, settings: readonly string[] = [], driverTable: readonly string[] = this.sharedFakeDriverTable()): Promise<BenchGateway> {
    return BenchGateway.start({
      // The URL (with its password) goes into the 0600 gateway.toml, never on a command line.
      settings: [
        `database = ${JSON.stringify(databaseUrl)}`,
        'replica_listen = "127.0.0.1:0"',
        `replica_secret_file = ${JSON.stringify(path.join(this.dir, 'replica-secret'))}`,
        ...settings,
      ],
      prepareStateDir: async (stateDir) => {
        await mkdir(path.join(stateDir, 'keys'), { recursive: true, mode: 0o700 });
        await copyFile(path.join(this.dir, 'gateway-id'), path.join(stateDir, 'gateway-id'));
        await copyFile(path.join(this.dir, 'signing-key.pem'), path.join(stateDir, 'keys', 'sandbox-signing-key.pem'));
      },
      driverTable: () => driverTable,
    });
  }

  private sharedFakeDriverTable(): string[] {
    return [
      '[drivers.fake]',
      `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(FAKE_DRIVER_BIN)}]`,
      'requires_supervisor = false',
      `ready_delay_ms = ${READY_DELAY_MS}`,
      'shared_backend = true',
      `shared_state_dir = ${JSON.stringify(path.join(this.dir, 'fake-backend'))}`,
    ];
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
