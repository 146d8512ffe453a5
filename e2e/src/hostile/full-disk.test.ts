// Issue 10, item 7, on a real full filesystem: the gateway's state_dir is a 2 MiB tmpfs,
// filled to the last byte. Creates and deletes answer RESOURCE_EXHAUSTED naming the storage,
// Health says DEGRADED, nothing stored is damaged, and once space is freed everything works
// and Health is HEALTHY again. Mounting needs root (CAP_SYS_ADMIN); the test fails, not
// skips, without it (a skipped suite fails the run anyway, STYLE.md rule 20).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Metadata, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { SandboxPhase, ServiceStatus } from '@shellgate/api';
import { SandboxFileStore } from '@shellgate/driver-sdk';
import Database from 'better-sqlite3';
import { ApiClient } from '../harness/api-client.js';
import { fakeDriverTable } from '../harness/fake-driver-config.js';
import { GatewayProcess } from '../harness/gateway-process.js';

const TMPFS_SIZE = '2m';
const READY = SandboxPhase.SANDBOX_PHASE_READY;

/** Writes zeros into `file` until the filesystem refuses more (ENOSPC), big chunks then small. */
function fillFilesystem(file: string): void {
  const fd = openSync(file, 'w');
  try {
    for (const chunkBytes of [64 * 1024, 4096, 1]) {
      const chunk = Buffer.alloc(chunkBytes);
      for (;;) {
        try {
          if (writeSync(fd, chunk) < chunkBytes) break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw error;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

function freeBytes(path: string): number {
  const stats = statfsSync(path);
  return stats.bavail * stats.bsize;
}

/** Resolves with the gRPC error of `call`, failing the test if it succeeds. */
async function grpcErrorOf(call: Promise<unknown>): Promise<ServiceError> {
  return call.then(
    () => assert.fail('the call should have failed'),
    (error: ServiceError) => error,
  );
}

function assertStorageFull(error: ServiceError, databasePath: string): void {
  assert.equal(error.code, GrpcStatus.RESOURCE_EXHAUSTED, `${error.code}: ${error.details}`);
  assert.ok(error.details.includes(`no space left on the filesystem holding ${databasePath}`), error.details);
  assert.match(error.details, /free space on that filesystem/);
}

describe('a full state_dir filesystem (issue 10 item 7)', { timeout: 120_000 }, () => {
  let scratch: string;
  let mountDir: string;
  let isMounted = false;
  let gateway: GatewayProcess | undefined;
  let api: ApiClient | undefined;
  let stateDir: string;
  let databasePath: string;
  let fillFile: string;

  before(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'sg-full-disk-'));
    mountDir = join(scratch, 'mnt');
    mkdirSync(mountDir);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE},mode=0700`, 'tmpfs', mountDir], { stdio: 'pipe' });
    } catch (error) {
      throw new Error(`this test mounts a tmpfs and needs root (CAP_SYS_ADMIN): ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
    }
    isMounted = true;
    stateDir = join(mountDir, 'state');
    mkdirSync(stateDir, { mode: 0o700 });
    databasePath = join(stateDir, 'gateway.sqlite');
    fillFile = join(mountDir, 'fill');
    // The fake driver's own state lives off the tmpfs: this test is about the gateway's storage.
    const driverDir = join(scratch, 'driver');
    mkdirSync(driverDir);
    gateway = await GatewayProcess.start({ stateDir, configToml: fakeDriverTable('fake', driverDir) });
    api = new ApiClient(gateway.address);
  });

  after(async () => {
    api?.close();
    await gateway?.stop();
    if (isMounted) {
      try {
        execFileSync('umount', [mountDir], { stdio: 'pipe' });
      } catch {
        // Still busy (a process we lost track of): detach it now, the kernel frees it later.
        execFileSync('umount', ['-l', mountDir], { stdio: 'pipe' });
      }
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  function health(): Promise<ServiceStatus> {
    return new Promise((resolve, reject) =>
      api!.raw.health({}, new Metadata(), { deadline: Date.now() + 5_000 }, (error, response) => (error === null ? resolve(response.status) : reject(error))),
    );
  }

  async function waitForHealth(expected: ServiceStatus, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = await health();
    while (last !== expected && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      last = await health();
    }
    assert.equal(last, expected, `Health after ${timeoutMs} ms`);
  }

  it('refuses creates and deletes with RESOURCE_EXHAUSTED naming the storage, reports DEGRADED, and recovers once space is freed', async () => {
    const client = api!;
    await client.create({ name: 'kept-1' });
    await client.create({ name: 'kept-2' });
    await client.waitFor('kept-2', (s) => s.status?.phase === READY);
    await client.waitFor('kept-1', (s) => s.status?.phase === READY);
    assert.equal(await health(), ServiceStatus.SERVICE_STATUS_HEALTHY);

    fillFilesystem(fillFile);
    try {
      assert.equal(freeBytes(mountDir), 0, 'the filesystem is full');
      assertStorageFull(await grpcErrorOf(client.create({ name: 'while-full' })), databasePath);
      assert.equal(await health(), ServiceStatus.SERVICE_STATUS_DEGRADED);
      assert.equal((await client.info()).status, ServiceStatus.SERVICE_STATUS_DEGRADED);
      assertStorageFull(await grpcErrorOf(client.delete('kept-1')), databasePath);

      const whileFull = (await client.list()).map((s) => s.metadata!.name).sort();
      assert.deepEqual(whileFull, ['kept-1', 'kept-2'], 'reads work; the refused create and delete changed nothing');
      assert.equal((await client.get('kept-1')).metadata?.deletionTimestampMs, 0, 'the refused delete did not mark the sandbox');
      const fullLines = gateway!.entries((e) => e.message === 'storage is full: writes fail and Health answers DEGRADED until there is room again');
      assert.equal(fullLines.length, 1, 'the log says once which storage is full');
    } finally {
      rmSync(fillFile, { force: true });
    }
    // The probe (every 5 s while full) sees the room again without any write.
    await waitForHealth(ServiceStatus.SERVICE_STATUS_HEALTHY, 15_000);
    await client.create({ name: 'after-full' });
    await client.waitFor('after-full', (s) => s.status?.phase === READY);
    assert.equal(await client.delete('kept-1'), true);
    assert.deepEqual((await client.list()).map((s) => s.metadata!.name).sort(), ['after-full', 'kept-2']);
    assert.equal(await health(), ServiceStatus.SERVICE_STATUS_HEALTHY);
  });

  it("answers a driver's token write on the full filesystem with RESOURCE_EXHAUSTED naming its state_dir", async () => {
    const driverStateDir = join(mountDir, 'driver-state');
    const files = new SandboxFileStore(driverStateDir);
    await files.prepare();
    await files.writeToken('sbx-before', 'jwt-before');
    fillFilesystem(fillFile);
    try {
      await assert.rejects(files.writeToken('sbx-full', 'jwt-full'), (error: { code?: string; message?: string }) => {
        assert.equal(error.code, 'RESOURCE_EXHAUSTED');
        assert.ok(error.message?.includes(`no space left on the filesystem holding ${driverStateDir} (ENOSPC)`), error.message);
        return true;
      });
      await assert.rejects(files.writeToken('sbx-before', 'jwt-rotated'), { code: 'RESOURCE_EXHAUSTED' });
    } finally {
      rmSync(fillFile, { force: true });
    }
    assert.equal(readFileSync(files.tokenPath('sbx-before'), 'utf8'), 'jwt-before', 'the old token is whole');
  });

  it('left the database intact', async () => {
    api?.close();
    api = undefined;
    await gateway?.stop();
    gateway = undefined;
    const database = new Database(databasePath, { readonly: true });
    try {
      assert.equal(database.pragma('integrity_check', { simple: true }), 'ok');
      const names = database.prepare<[], { name: string }>('SELECT name FROM sandboxes ORDER BY name').all().map((row) => row.name);
      assert.deepEqual(names, ['after-full', 'kept-2']);
    } finally {
      database.close();
    }
  });
});
