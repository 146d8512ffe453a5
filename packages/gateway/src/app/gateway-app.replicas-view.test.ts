import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Metadata, credentials } from '@grpc/grpc-js';
import type { ClientReadableStream } from '@grpc/grpc-js';
import { CreateSandboxRequest, DeleteSandboxRequest, OpenShellClient, SandboxPhase, WatchSandboxRequest } from '@shellgate/api';
import type { Sandbox, SandboxStreamEvent } from '@shellgate/api';
import { RecordingLogger } from '@shellgate/driver-sdk/testing';
import { loadGatewayConfig } from '../config/index.js';
import { createPostgresTestDatabase } from '../store/testing/index.js';
import type { PostgresTestDatabase } from '../store/testing/index.js';
import { GatewayApp } from './gateway-app.js';

const fakeDriverMain = createRequire(import.meta.url).resolve('@shellgate/driver-sdk/package.json').replace(/package\.json$/, 'dist/fake-driver/main.js');
/** Long enough that the watch on B opens while the sandbox is still Provisioning. */
const READY_DELAY_MS = 1_500;

/** The sandbox objects a watch stream carries, until it ends (or `timeoutMs`). */
function collectSandboxes(stream: ClientReadableStream<SandboxStreamEvent>, timeoutMs = 10_000): Promise<Sandbox[]> {
  return new Promise((resolve, reject) => {
    const seen: Sandbox[] = [];
    const timer = setTimeout(() => {
      stream.cancel();
      reject(new Error(`watch did not end within ${timeoutMs} ms; saw phases ${seen.map((sandbox) => sandbox.status?.phase).join(', ')}`));
    }, timeoutMs);
    stream.on('data', (event: SandboxStreamEvent) => {
      if (event.payload?.$case === 'sandbox') seen.push(event.payload.sandbox);
    });
    stream.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    stream.on('end', () => {
      clearTimeout(timer);
      resolve(seen);
    });
  });
}

// Needs SHELLGATE_TEST_POSTGRES_URL (scripts/engines/postgres.sh); fails without it, never skips.
describe('GatewayApp: two replicas on one Postgres show one view', { timeout: 120_000 }, () => {
  let dir: string;
  let database: PostgresTestDatabase;
  const apps: GatewayApp[] = [];
  const clients: OpenShellClient[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shellgate-replicas-view-'));
    database = await createPostgresTestDatabase();
    // What replicas share (docs/replicas.md): the gateway identity, the relay secret, one backend.
    const gatewayId = randomUUID();
    const signingKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' });
    writeFileSync(join(dir, 'replica-secret'), 'replicas-view-test-secret-0123456789', { mode: 0o600 });
    for (const name of ['a', 'b']) {
      mkdirSync(join(dir, name, 'keys'), { recursive: true, mode: 0o700 });
      writeFileSync(join(dir, name, 'gateway-id'), `${gatewayId}\n`, { mode: 0o600 });
      writeFileSync(join(dir, name, 'keys', 'sandbox-signing-key.pem'), signingKey, { mode: 0o600 });
      const configFile = join(dir, `${name}.toml`);
      writeFileSync(configFile, [
        'listen = "127.0.0.1:0"',
        `state_dir = "${join(dir, name)}"`,
        `database = ${JSON.stringify(database.url)}`,
        'database_pool_size = 4',
        'replica_listen = "127.0.0.1:0"',
        `replica_secret_file = "${join(dir, 'replica-secret')}"`,
        '[drivers.fake]',
        `command = ["${process.execPath}", "${fakeDriverMain}"]`,
        'requires_supervisor = false',
        'shared_backend = true',
        `shared_state_dir = "${join(dir, 'fake-backend')}"`,
        `ready_delay_ms = ${READY_DELAY_MS}`,
        '',
      ].join('\n'), { mode: 0o600 });
      const app = await GatewayApp.start(loadGatewayConfig({ argv: ['--config', configFile], env: {} }), new RecordingLogger());
      apps.push(app);
      clients.push(new OpenShellClient(app.address, credentials.createInsecure()));
    }
  });
  after(async () => {
    for (const client of clients) client.close();
    for (const app of apps) await app.close();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("a watch held on B follows a sandbox created through A to Ready, then sees A's delete", async () => {
    const [a, b] = clients as [OpenShellClient, OpenShellClient];
    const created = await new Promise<Sandbox>((resolve, reject) => {
      a.createSandbox(CreateSandboxRequest.fromPartial({ name: 'shared' }), new Metadata(), (error, response) => (error === null ? resolve(response.sandbox!) : reject(error)));
    });
    const id = created.metadata!.id;
    const toReady = await collectSandboxes(b.watchSandbox(WatchSandboxRequest.fromPartial({ id, followStatus: true, stopOnTerminal: true })));
    assert.equal(toReady[0]?.status?.phase, SandboxPhase.SANDBOX_PHASE_PROVISIONING, 'the watch opened before Ready');
    assert.equal(toReady.at(-1)?.status?.phase, SandboxPhase.SANDBOX_PHASE_READY, 'Ready, written by A, reached the stream on B');

    const untilDeleted = collectSandboxes(b.watchSandbox(WatchSandboxRequest.fromPartial({ id, followStatus: true })));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await new Promise<void>((resolve, reject) => {
      a.deleteSandbox(DeleteSandboxRequest.fromPartial({ name: 'shared' }), new Metadata(), (error) => (error === null ? resolve() : reject(error)));
    });
    const seen = await untilDeleted;
    assert.equal(seen.at(-1)?.metadata?.id, id);
    assert.equal(seen.at(-1)?.status?.phase, SandboxPhase.SANDBOX_PHASE_DELETING, 'the delete through A ended the stream on B');
  });
});
