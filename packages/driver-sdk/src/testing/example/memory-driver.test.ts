import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { ErrorCode } from '../../errors.js';
import * as door from '../../index.js';
import * as testingDoor from '../index.js';
import { silentLogger } from '../../logging/logger.js';
import { FakeGateway } from '../fake-gateway.js';
import { startTestDriver } from '../start-test-driver.js';
import { createMemoryDriver } from './memory-driver.js';

/** A fresh state dir for the example driver's token files. */
function exampleStateDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'sg-memory-driver-'));
}

// Compiled to dist/testing/example/; the package root is three levels up.
const HERE = path.dirname(fileURLToPath(import.meta.url));
const PACKAGE_ROOT = path.resolve(HERE, '..', '..', '..');
const MAIN_JS = path.join(HERE, 'memory-driver-main.js');
/** A child still running after this is killed, so every wait on it ends and the test fails instead of hanging. */
const CHILD_TIMEOUT_MS = 30_000;

/** The README shows the example as a user writes it: imports from the package door. */
function toReadmeForm(source: string): string {
  return source.replaceAll("'../../index.js'", "'@shellgate/driver-sdk'").trimEnd();
}

/** Each `<!-- example: PATH -->` marker in the README, with the code block after it. */
function readmeExamples(readme: string): Map<string, string> {
  const examples = new Map<string, string>();
  for (const match of readme.matchAll(/<!-- example: (\S+) -->\n```ts\n([\s\S]*?)\n```/g)) {
    examples.set(match[1]!, match[2]!);
  }
  return examples;
}

/** Every test here waits on a socket, a stream or a child process: a bound names the one that hangs. */
const SUITE_TIMEOUT_MS = 120_000;

void describe('the README example driver', { timeout: SUITE_TIMEOUT_MS }, () => {
  void it('is exactly the compiled source in src/testing/example', async () => {
    const examples = readmeExamples(await readFile(path.join(PACKAGE_ROOT, 'README.md'), 'utf8'));
    assert.deepEqual([...examples.keys()].sort(), [
      'src/testing/example/memory-driver-main.ts',
      'src/testing/example/memory-driver.ts',
    ]);
    for (const [file, code] of examples) {
      const source = await readFile(path.join(PACKAGE_ROOT, file), 'utf8');
      assert.equal(code, toReadmeForm(source), `README block for ${file} is out of date`);
    }
  });

  void it('imports, in every README code block, only names the doors export', async () => {
    const readme = await readFile(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');
    const doors: Record<string, object> = { '@shellgate/driver-sdk': door, '@shellgate/driver-sdk/testing': testingDoor };
    let checked = 0;
    for (const [, code] of readme.matchAll(/```ts\n([\s\S]*?)\n```/g)) {
      for (const match of code!.matchAll(/^import (type )?\{([^}]+)\} from '(@shellgate\/driver-sdk(?:\/testing)?)';$/gm)) {
        if (match[1] !== undefined) continue;
        const exports = doors[match[3]!]!;
        for (const name of match[2]!.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
          assert.ok(name in exports, `${match[3]} does not export ${name}`);
          checked += 1;
        }
      }
    }
    assert.ok(checked > 20, `only ${checked} imported names found in the README`);
  });

  void it('runs the README testing recipe in-process', async () => {
    await using driver = await startTestDriver(createMemoryDriver({ startDelayMs: 10, stateDir: exampleStateDir(), logger: silentLogger }));
    await using gateway = await FakeGateway.connect({ socketPath: driver.socketPath });
    const sandbox = await gateway.createSandbox({ spec: { environment: { GREETING: 'hi' } } });
    await gateway.waitForSandbox(sandbox.id, 'Ready');
    await gateway.driver.stopSandbox(sandbox.id);
    await gateway.waitForSandbox(sandbox.id, 'Stopped');
    await gateway.driver.deleteSandbox(sandbox.id);
    await gateway.waitForDeleted(sandbox.id);
  });

  void it('answers the contract errors: bad input, duplicates, unknown ids', async () => {
    await using driver = await startTestDriver(createMemoryDriver({ startDelayMs: 0, stateDir: exampleStateDir(), logger: silentLogger }));
    await using gateway = await FakeGateway.connect({ socketPath: driver.socketPath });
    await assert.rejects(gateway.createSandbox({ name: 'Not_A_Label' }), { code: ErrorCode.InvalidArgument });
    const sandbox = await gateway.createSandbox();
    await assert.rejects(gateway.driver.createSandbox(sandbox), { code: ErrorCode.AlreadyExists });
    await assert.rejects(gateway.driver.getSandbox('sbx-nope'), { code: ErrorCode.NotFound });
    assert.equal(await gateway.driver.deleteSandbox('sbx-nope'), false);
    await gateway.waitForPlatformEvent(sandbox.id);
    const echoed = await gateway.waitForSandbox(sandbox.id, 'Ready');
    assert.equal(echoed.spec?.sandboxToken, '', 'the token is not echoed back');
  });

  void it('runs as a binary: serves, keeps stdout empty, logs JSON on stderr, exits 0 on SIGTERM', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sg-example-'));
    const socketPath = path.join(dir, 'run', 'memory.sock');
    const child = spawn(process.execPath, [MAIN_JS, '--bind-socket', socketPath, '--start-delay-ms', '10', '--state-dir', path.join(dir, 'state')], {
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: CHILD_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      const token = await (async () => {
        await using gateway = await FakeGateway.connect({ socketPath });
        assert.equal(gateway.capabilities.driverName, 'memory');
        const sandbox = await gateway.createSandbox();
        await gateway.waitForSandbox(sandbox.id, 'Ready');
        return sandbox.spec?.sandboxToken ?? '';
      })();
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      assert.equal(code, 0);
      assert.equal(stdout, '');
      const lines = stderr.trim().split('\n');
      assert.ok(lines.length > 0);
      for (const line of lines) assert.doesNotThrow(() => JSON.parse(line) as unknown, line);
      assert.ok(!stderr.includes(token), 'the sandbox token never reaches the log');
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });

  void it('explains itself with --help, listing its setting', async () => {
    const child = spawn(process.execPath, [MAIN_JS, '--help'], { stdio: ['ignore', 'pipe', 'pipe'], timeout: CHILD_TIMEOUT_MS, killSignal: 'SIGKILL' });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.match(stdout, /--bind-socket PATH/);
    assert.match(stdout, /start_delay_ms/);
    assert.match(stdout, /--start-delay-ms/);
  });
});
