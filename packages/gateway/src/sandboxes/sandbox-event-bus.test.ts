import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlatformEvent, Sandbox } from '@shellgate/api';
import { PLATFORM_EVENT_TAIL_LIMIT, SandboxEventBus, type SandboxChange } from './sandbox-event-bus.js';

function sandbox(id: string): Sandbox {
  return Sandbox.fromPartial({ metadata: { id, name: id } });
}

function event(n: number): PlatformEvent {
  return PlatformEvent.fromPartial({ timestampMs: n, reason: `r${n}` });
}

describe('SandboxEventBus', () => {
  it('delivers changes only to subscribers of that sandbox id', () => {
    const bus = new SandboxEventBus();
    const a: SandboxChange[] = [];
    const b: SandboxChange[] = [];
    bus.subscribe('a', (c) => a.push(c));
    bus.subscribe('b', (c) => b.push(c));
    bus.publish({ kind: 'updated', sandbox: sandbox('a') });
    bus.publish({ kind: 'platformEvent', sandboxId: 'b', event: event(1) });
    assert.deepEqual(a.map((c) => c.kind), ['updated']);
    assert.deepEqual(b.map((c) => c.kind), ['platformEvent']);
  });

  it('subscribeAll sees every sandbox until it unsubscribes', () => {
    const bus = new SandboxEventBus();
    const seen: string[] = [];
    const unsubscribe = bus.subscribeAll((c) => seen.push(c.kind === 'platformEvent' ? c.sandboxId : c.sandbox.metadata!.id));
    bus.publish({ kind: 'updated', sandbox: sandbox('a') });
    bus.publish({ kind: 'deleted', sandbox: sandbox('b') });
    unsubscribe();
    bus.publish({ kind: 'updated', sandbox: sandbox('c') });
    assert.deepEqual(seen, ['a', 'b']);
  });

  it('stops delivering after unsubscribe, and other subscribers keep theirs', () => {
    const bus = new SandboxEventBus();
    const first: string[] = [];
    const second: string[] = [];
    const unsubscribe = bus.subscribe('a', (c) => first.push(c.kind));
    bus.subscribe('a', (c) => second.push(c.kind));
    unsubscribe();
    bus.publish({ kind: 'updated', sandbox: sandbox('a') });
    assert.deepEqual(first, []);
    assert.deepEqual(second, ['updated']);
  });

  it('keeps the last platform events per sandbox, oldest first, bounded', () => {
    const bus = new SandboxEventBus();
    for (let i = 0; i < PLATFORM_EVENT_TAIL_LIMIT + 5; i += 1) bus.publish({ kind: 'platformEvent', sandboxId: 'a', event: event(i) });
    assert.deepEqual(bus.recentEvents('a', 3).map((e) => e.timestampMs), [PLATFORM_EVENT_TAIL_LIMIT + 2, PLATFORM_EVENT_TAIL_LIMIT + 3, PLATFORM_EVENT_TAIL_LIMIT + 4]);
    const all = bus.recentEvents('a', 10_000);
    assert.equal(all.length, PLATFORM_EVENT_TAIL_LIMIT);
    assert.equal(all[0]!.timestampMs, 5);
    assert.deepEqual(bus.recentEvents('a', 0), []);
    assert.deepEqual(bus.recentEvents('other', 5), []);
  });

  it('forgets a sandbox\'s event tail after its delete is delivered', () => {
    const bus = new SandboxEventBus();
    bus.publish({ kind: 'platformEvent', sandboxId: 'a', event: event(1) });
    const seen: string[] = [];
    bus.subscribe('a', (c) => seen.push(c.kind));
    bus.publish({ kind: 'deleted', sandbox: sandbox('a') });
    assert.deepEqual(seen, ['deleted']);
    assert.deepEqual(bus.recentEvents('a', 5), []);
  });

  it('a listener that unsubscribes while being called does not break delivery to others', () => {
    const bus = new SandboxEventBus();
    const seen: string[] = [];
    const unsubscribe = bus.subscribe('a', () => {
      unsubscribe();
      seen.push('first');
    });
    bus.subscribe('a', () => seen.push('second'));
    bus.publish({ kind: 'updated', sandbox: sandbox('a') });
    bus.publish({ kind: 'updated', sandbox: sandbox('a') });
    assert.deepEqual(seen, ['first', 'second', 'second']);
  });

  it('a sandbox is wanted while a stream watches it or an every-sandbox listener asks for it', () => {
    const bus = new SandboxEventBus();
    const stopBookkeeping = bus.subscribeAll(() => undefined, () => false);
    assert.equal(bus.isWanted('a'), false);
    const stopWatch = bus.subscribe('a', () => undefined);
    assert.equal(bus.isWanted('a'), true);
    stopWatch();
    assert.equal(bus.isWanted('a'), false);
    const stopSessions = bus.subscribeAll(() => undefined, (id) => id === 'b');
    assert.deepEqual([bus.isWanted('a'), bus.isWanted('b')], [false, true]);
    stopSessions();
    const stopEverything = bus.subscribeAll(() => undefined);
    assert.equal(bus.isWanted('a'), true, 'a listener that names nothing wants every sandbox');
    stopEverything();
    stopBookkeeping();
  });
});
