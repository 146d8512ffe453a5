import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { TerminationCleanups } from './termination-cleanups.js';

/** A process whose signals the test sends and whose exit it records. */
class FakeProcess extends EventEmitter {
  readonly output: string[] = [];
  readonly stderr = { write: (text: string): boolean => this.output.push(text) > 0 };
  readonly exited: Promise<number>;
  #resolveExit!: (code: number) => void;
  exitCodes: number[] = [];

  constructor() {
    super();
    this.exited = new Promise((resolve) => (this.#resolveExit = resolve));
  }

  exit(code: number): void {
    this.exitCodes.push(code);
    this.#resolveExit(code);
  }

  signal(name: NodeJS.Signals): void {
    this.emit(name, name);
  }
}

function setUp(deadlineMs?: number): { fake: FakeProcess; cleanups: TerminationCleanups } {
  const fake = new FakeProcess();
  return { fake, cleanups: new TerminationCleanups({ process: fake, ...(deadlineMs === undefined ? {} : { deadlineMs }) }) };
}

describe('TerminationCleanups', { timeout: 10_000 }, () => {
  it('on SIGTERM runs every cleanup, newest first, then exits 143', async () => {
    const { fake, cleanups } = setUp();
    const order: string[] = [];
    cleanups.add(() => void order.push('gateway'));
    cleanups.add(async () => {
      await Promise.resolve();
      order.push('sweep');
    });
    fake.signal('SIGTERM');
    assert.equal(await fake.exited, 143);
    assert.deepEqual(order, ['sweep', 'gateway']);
    assert.ok(cleanups.isTerminating);
    assert.match(fake.output.join(''), /^SIGTERM: stopping what this process started/);
  });

  it('exits 130 on SIGINT', async () => {
    const { fake, cleanups } = setUp();
    cleanups.add(() => undefined);
    fake.signal('SIGINT');
    assert.equal(await fake.exited, 130);
  });

  it('listens only while a cleanup is registered, so node keeps its default otherwise', () => {
    const { fake, cleanups } = setUp();
    assert.equal(fake.listenerCount('SIGTERM'), 0);
    const first = cleanups.add(() => undefined);
    const second = cleanups.add(() => undefined);
    assert.deepEqual([fake.listenerCount('SIGTERM'), fake.listenerCount('SIGINT')], [1, 1]);
    first.forget();
    assert.equal(fake.listenerCount('SIGTERM'), 1);
    second.forget();
    assert.deepEqual([fake.listenerCount('SIGTERM'), fake.listenerCount('SIGINT')], [0, 0]);
  });

  it('run() on the normal path runs a cleanup once and unregisters it; a signal then skips it', async () => {
    const { fake, cleanups } = setUp();
    let runs = 0;
    const handle = cleanups.add(() => void (runs += 1));
    cleanups.add(() => undefined);
    await Promise.all([handle.run(), handle.run()]);
    fake.signal('SIGTERM');
    await fake.exited;
    assert.equal(runs, 1);
  });

  it('a signal during a run() shares that run instead of starting another', async () => {
    const { fake, cleanups } = setUp();
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const handle = cleanups.add(async () => {
      runs += 1;
      await gate;
    });
    const normal = handle.run();
    cleanups.add(() => undefined);
    fake.signal('SIGTERM');
    release();
    await Promise.all([normal, fake.exited]);
    assert.equal(runs, 1);
  });

  it('a failing cleanup is reported and the others still run', async () => {
    const { fake, cleanups } = setUp();
    let ran = false;
    cleanups.add(() => void (ran = true));
    cleanups.add(() => {
      throw new Error('docker rm failed');
    });
    fake.signal('SIGTERM');
    assert.equal(await fake.exited, 143);
    assert.ok(ran);
    assert.match(fake.output.join(''), /cleanup failed: docker rm failed/);
  });

  it('runs a cleanup registered while the others run (a start that was under way)', async () => {
    const { fake, cleanups } = setUp();
    let late = false;
    cleanups.add(() => void cleanups.add(() => void (late = true)));
    fake.signal('SIGTERM');
    await fake.exited;
    assert.ok(late);
  });

  it('a second signal exits at once; a hung cleanup is abandoned at the deadline', async () => {
    const second = setUp(60_000);
    second.cleanups.add(() => new Promise<void>(() => undefined));
    second.fake.signal('SIGTERM');
    second.fake.signal('SIGINT');
    assert.equal(await second.fake.exited, 130);

    const hung = setUp(20);
    hung.cleanups.add(() => new Promise<void>(() => undefined));
    hung.fake.signal('SIGTERM');
    assert.equal(await hung.fake.exited, 143);
    assert.match(hung.fake.output.join(''), /cleanup still running after 20 ms; exiting without it/);
  });
});
