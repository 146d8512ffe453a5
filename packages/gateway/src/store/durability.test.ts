import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';

import { openSqliteStore } from './sqlite-gateway-store.js';

// The child writes as fast as it can and prints a line only after each write has committed,
// so every printed line is a promise the file must keep after SIGKILL.
const WRITER = `
import { Sandbox } from '@shellgate/api';
import { openSqliteStore } from ${JSON.stringify(new URL('./sqlite-gateway-store.js', import.meta.url).href)};
const store = await openSqliteStore({ path: process.env.STORE_PATH });
for (let i = 0; ; i += 1) {
  const id = 'sb-' + i;
  const record = { sandbox: Sandbox.fromPartial({ metadata: { id, name: 'n' + i, workspace: 'default' } }),
    driver: 'docker', desiredState: 'running', missingSinceMs: undefined };
  await store.createSandbox(record);
  process.stdout.write('created ' + id + '\\n');
  await store.updateSandbox(id, 1, { ...record, desiredState: 'stopped' });
  process.stdout.write('updated ' + id + '\\n');
}
`;

const KILL_AFTER_LINES = 300;

describe('store durability', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shellgate-durability-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every committed write when the writer is SIGKILLed mid-stream', async () => {
    const path = join(dir, 'gateway.db');
    // cwd is this package so the child resolves @shellgate/api like the gateway does.
    const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER], {
      cwd: new URL('../..', import.meta.url),
      env: { ...process.env, STORE_PATH: path },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const created = new Set<string>();
    const updated = new Set<string>();
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    let lines = 0;
    for await (const line of createInterface({ input: child.stdout })) {
      const [verb, id] = line.split(' ') as [string, string];
      (verb === 'created' ? created : updated).add(id);
      lines += 1;
      if (lines === KILL_AFTER_LINES) child.kill('SIGKILL');
    }
    assert.equal(await exited, 'SIGKILL');
    assert.ok(created.size >= KILL_AFTER_LINES / 2, `writer committed ${created.size} creates before the kill`);

    const store = await openSqliteStore({ path });
    for (const id of created) {
      const record = await store.getSandbox(id);
      assert.ok(record !== undefined, `${id} was committed before the kill`);
      if (updated.has(id)) {
        assert.equal(record.desiredState, 'stopped', `${id} update was committed`);
        assert.equal(record.sandbox.metadata?.resourceVersion, 2);
      }
    }
    // Rows the child committed but had no time to report are fine; nothing else may exist.
    assert.ok((await store.countSandboxes()) <= created.size + 1);
    assert.equal((statSync(path).mode & 0o777).toString(8), '600');
    await store.close();
  });
});
