import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { connectDriver } from '../client/index.js';
import { ErrorCode } from '../errors.js';
import type { DriverSandbox } from '../gen/compute_driver.js';

const FAKE_DRIVER_MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

function sandbox(id: string, name: string): DriverSandbox {
  const spec = { logLevel: '', environment: {}, template: undefined, resourceRequirements: undefined, sandboxToken: '', command: [], tty: false };
  return { id, name, namespace: '', workspace: '', status: undefined, spec };
}

void test('shellgate-fake-driver serves the script from its --config file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sgf-'));
  const configFile = join(dir, 'fake.toml');
  await writeFile(
    configFile,
    [
      'driver_name = "scripted"',
      'gateway_manages_lifecycle = true',
      '[responses.full]',
      'rpc = "CreateSandbox"',
      'error = "RESOURCE_EXHAUSTED"',
      'message = "no room"',
      'match_name = "big"',
      '',
    ].join('\n'),
  );
  const socketPath = join(dir, 'fake.sock');
  const child = spawn(process.execPath, [FAKE_DRIVER_MAIN, '--bind-socket', socketPath, '--config', configFile], {
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  try {
    const client = await connectDriver(socketPath, { connectTimeoutMs: 15_000 });
    try {
      assert.equal(client.capabilities.driverName, 'scripted');
      assert.equal(client.capabilities.gatewayManagesLifecycle, true);
      assert.equal(client.capabilities.defaultImage, 'fake/image:latest');
      await assert.rejects(client.createSandbox(sandbox('b1', 'big')), { code: ErrorCode.ResourceExhausted, message: 'CreateSandbox failed: no room' });
      await client.createSandbox(sandbox('s1', 'small'));
      assert.deepEqual((await client.listSandboxes()).map((s) => s.id), ['s1']);
    } finally {
      await client.close();
    }
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0, 'SIGTERM drains and exits 0');
    await rm(dir, { recursive: true, force: true });
  }
});

void test('shellgate-fake-driver refuses a script with an unknown rpc, naming the key', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sgf-'));
  const configFile = join(dir, 'fake.toml');
  await writeFile(configFile, '[responses.typo]\nrpc = "CreateSandboxes"\nerror = "INTERNAL"\n');
  try {
    const child = spawn(process.execPath, [FAKE_DRIVER_MAIN, '--bind-socket', join(dir, 'f.sock'), '--config', configFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.notEqual(code, 0);
    assert.match(stderr, /responses\.typo\.rpc: unknown value \\"CreateSandboxes\\"/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
