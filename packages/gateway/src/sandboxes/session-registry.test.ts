import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionRegistry } from './session-registry.js';

function recordChanges(registry: SessionRegistry): string[] {
  const seen: string[] = [];
  registry.onChange((sandboxId, isConnected) => seen.push(`${sandboxId}:${isConnected ? 'up' : 'down'}`));
  return seen;
}

describe('SessionRegistry', () => {
  it('records a session with the injected clock and reports it live', () => {
    const registry = new SessionRegistry(() => 42);
    assert.equal(registry.hasLiveSession('sb'), false);
    assert.equal(registry.connect('sb', 's1'), undefined);
    assert.equal(registry.hasLiveSession('sb'), true);
    assert.deepEqual(registry.get('sb'), { sandboxId: 'sb', sessionId: 's1', connectedAtMs: 42 });
  });

  it('notifies on the first connect and on the effective disconnect only', () => {
    const registry = new SessionRegistry(() => 0);
    const seen = recordChanges(registry);
    registry.connect('sb', 's1');
    assert.equal(registry.disconnect('sb', 's1'), true);
    assert.equal(registry.hasLiveSession('sb'), false);
    assert.deepEqual(seen, ['sb:up', 'sb:down']);
  });

  it('a reconnect supersedes the old session, and the old session\'s disconnect changes nothing', () => {
    const registry = new SessionRegistry(() => 0);
    const seen = recordChanges(registry);
    registry.connect('sb', 's1');
    const superseded = registry.connect('sb', 's2');
    assert.equal(superseded?.sessionId, 's1');
    assert.equal(registry.disconnect('sb', 's1'), false);
    assert.equal(registry.hasLiveSession('sb'), true);
    assert.equal(registry.get('sb')?.sessionId, 's2');
    assert.deepEqual(seen, ['sb:up']);
    assert.equal(registry.disconnect('sb', 's2'), true);
    assert.deepEqual(seen, ['sb:up', 'sb:down']);
  });

  it('disconnecting an unknown sandbox is a no-op', () => {
    const registry = new SessionRegistry();
    const seen = recordChanges(registry);
    assert.equal(registry.disconnect('nope', 's1'), false);
    assert.deepEqual(seen, []);
  });

  it('sessions of different sandboxes are independent', () => {
    const registry = new SessionRegistry(() => 0);
    registry.connect('a', 's1');
    registry.connect('b', 's1');
    registry.disconnect('a', 's1');
    assert.equal(registry.hasLiveSession('a'), false);
    assert.equal(registry.hasLiveSession('b'), true);
  });

  it('an unsubscribed listener hears nothing more', () => {
    const registry = new SessionRegistry(() => 0);
    const seen: string[] = [];
    const unsubscribe = registry.onChange((id) => seen.push(id));
    registry.connect('a', 's1');
    unsubscribe();
    registry.connect('b', 's1');
    assert.deepEqual(seen, ['a']);
  });
});
