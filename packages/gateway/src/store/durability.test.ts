import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';

import { openSqliteStore } from './sqlite-gateway-store.js';

/** The writer stops by itself after this many records, so it is bounded even if the kill never comes. */
const MAX_RECORDS = 50_000;
/** Committed writes (lines in the log) before the test kills the writer. */
const KILL_AFTER_LINES = 300;
const KILL_DEADLINE_MS = 30_000;
const EXIT_DEADLINE_MS = 10_000;

// The child writes as fast as it can and appends a line to a log file only after each write
// has committed, so every complete line is a promise the database must keep after SIGKILL.
// The log is written with writeSync, not to a pipe (issue 9): the loop never yields to the
// event loop, so once a pipe write would block, node queues that line and every later one in
// memory for good. On a busy machine Linux gives new pipes one 4 KiB page (the user is past
// fs.pipe-user-pages-soft): the reader got 280 lines, exactly 4 KiB, and waited forever while
// the writer's queue grew past 400 MB.
const WRITER = `
import { openSync, writeSync } from 'node:fs';
import { Sandbox } from '@shellgate/api';
import { openSqliteStore } from ${JSON.stringify(new URL('./sqlite-gateway-store.js', import.meta.url).href)};
const store = await openSqliteStore({ path: process.env.STORE_PATH });
const log = openSync(process.env.LOG_PATH, 'a');
for (let i = 0; i < ${MAX_RECORDS}; i += 1) {
  const id = 'sb-' + i;
  const record = { sandbox: Sandbox.fromPartial({ metadata: { id, name: 'n' + i, workspace: 'default' } }),
    driver: 'docker', desiredState: 'running', missingSinceMs: undefined };
  await store.createSandbox(record);
  writeSync(log, 'created ' + id + '\\n');
  await store.updateSandbox(id, 1, { ...record, desiredState: 'stopped' });
  writeSync(log, 'updated ' + id + '\\n');
}
`;

/** The complete lines of the log; a line cut short by the kill has no newline and is left out. */
function readCommittedLines(logPath: string): string[] {
  let text: string;
  try {
    text = readFileSync(logPath, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').slice(0, -1);
}

describe('store durability', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shellgate-durability-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every committed write when the writer is SIGKILLed mid-stream', async () => {
    const path = join(dir, 'gateway.db');
    const logPath = join(dir, 'committed.log');
    // cwd is this package so the child resolves @shellgate/api like the gateway does.
    const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER], {
      cwd: new URL('../..', import.meta.url),
      env: { ...process.env, STORE_PATH: path, LOG_PATH: logPath },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const hasExited = (): boolean => child.exitCode !== null || child.signalCode !== null;
    try {
      const deadline = Date.now() + KILL_DEADLINE_MS;
      while (readCommittedLines(logPath).length < KILL_AFTER_LINES && !hasExited()) {
        assert.ok(Date.now() < deadline, `the writer committed ${readCommittedLines(logPath).length} of ${KILL_AFTER_LINES} writes in ${KILL_DEADLINE_MS} ms`);
        await sleep(5);
      }
    } finally {
      child.kill('SIGKILL');
    }
    const exit = await Promise.race([exited, sleep(EXIT_DEADLINE_MS, undefined, { ref: false })]);
    assert.ok(exit !== undefined, `the writer did not exit ${EXIT_DEADLINE_MS} ms after SIGKILL`);
    assert.equal(exit.signal, 'SIGKILL', `the writer exited (code ${exit.code}) before the kill: it wrote all ${MAX_RECORDS} records, so the kill did not land mid-write`);

    const created = new Set<string>();
    const updated = new Set<string>();
    for (const line of readCommittedLines(logPath)) {
      const [verb, id] = line.split(' ') as [string, string];
      (verb === 'created' ? created : updated).add(id);
    }
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
    // Rows the child committed but had no time to log are fine; nothing else may exist.
    assert.ok((await store.countSandboxes()) <= created.size + 1);
    assert.equal((statSync(path).mode & 0o777).toString(8), '600');
    await store.close();
  });
});
