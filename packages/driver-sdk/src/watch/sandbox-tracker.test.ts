import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { readyCondition } from '../conditions/conditions.js';
import { SandboxTracker } from './sandbox-tracker.js';
import { RecordingPublisher, testPlatformEvent, testSandbox } from './testdata/recording-publisher.js';

function tracked(): { tracker: SandboxTracker; hub: RecordingPublisher } {
  const hub = new RecordingPublisher();
  return { tracker: new SandboxTracker(hub), hub };
}

describe('SandboxTracker', () => {
  it('publishes changes only, and keeps its own copy of what it published', () => {
    const { tracker, hub } = tracked();
    const record = testSandbox('a');
    tracker.publish(record);
    tracker.publish(testSandbox('a'));
    record.status!.conditions = [readyCondition(true, 'Running', '')];
    tracker.publish(record);
    tracker.publish(testSandbox('a', true));
    assert.deepEqual(hub.take(), ['sandbox:a:not-ready', 'sandbox:a:ready']);
  });

  it('ignores condition transition times by default, and takes a custom isEqual', () => {
    const { tracker, hub } = tracked();
    const first = testSandbox('a');
    const later = testSandbox('a');
    later.status!.conditions[0]!.lastTransitionTime = '2030-01-01T00:00:00Z';
    tracker.publish(first);
    tracker.publish(later);
    assert.deepEqual(hub.take(), ['sandbox:a:not-ready']);

    const byName = new SandboxTracker(hub, { isEqual: (previous, next) => previous.name === next.name });
    byName.publish(testSandbox('a'));
    byName.publish(testSandbox('a', true));
    byName.publish(testSandbox('a', true, 'renamed'));
    assert.deepEqual(hub.take(), ['sandbox:a:not-ready', 'sandbox:a:ready']);
  });

  it('remembers the last published conditions', () => {
    const { tracker } = tracked();
    assert.deepEqual(tracker.previousConditions('a'), []);
    tracker.publish(testSandbox('a', true));
    assert.equal(tracker.previousConditions('a')[0]?.reason, 'Running');
  });

  it('publishes a deletion once and ignores late updates until the id is revived', () => {
    const { tracker, hub } = tracked();
    tracker.publish(testSandbox('a'));
    tracker.publishDeleted('a');
    tracker.publishDeleted('a');
    tracker.publish(testSandbox('a', true)); // a late event must not resurrect it
    assert.equal(tracker.isDeleted('a'), true);
    tracker.revive('a');
    tracker.publish(testSandbox('a', true));
    assert.deepEqual(hub.take(), ['sandbox:a:not-ready', 'deleted:a', 'sandbox:a:ready']);
  });

  it('publishes the deletion of an id it never showed only when told it was known', () => {
    const { tracker, hub } = tracked();
    tracker.publishDeleted('never-shown');
    tracker.publishDeleted('removed-by-us', true);
    assert.deepEqual(hub.take(), ['deleted:removed-by-us']);
  });

  it('passes platform events through, also for unknown ids', () => {
    const { tracker, hub } = tracked();
    tracker.publishPlatformEvent('a', testPlatformEvent('Pulled'));
    assert.deepEqual(hub.take(), ['event:a:Pulled']);
  });

  it('ignores sandboxes without an id', () => {
    const { tracker, hub } = tracked();
    tracker.publish(testSandbox(''));
    assert.deepEqual(hub.take(), []);
  });

  describe('publishListing', () => {
    it('publishes changes, then deletes ids the listing lacks', () => {
      const { tracker, hub } = tracked();
      tracker.publishListing([testSandbox('a'), testSandbox('b')], tracker.sequence);
      tracker.publishListing([testSandbox('a'), testSandbox('b')], tracker.sequence);
      tracker.publishListing([testSandbox('a', true), testSandbox('c')], tracker.sequence);
      assert.deepEqual(hub.take(), ['sandbox:a:not-ready', 'sandbox:b:not-ready', 'sandbox:a:ready', 'sandbox:c:not-ready', 'deleted:b']);
    });

    it('keeps ids published after the listing began, though the listing lacks them', () => {
      const { tracker, hub } = tracked();
      tracker.publish(testSandbox('old'));
      const startedAt = tracker.sequence;
      tracker.publish(testSandbox('created-meanwhile'));
      tracker.publish(testSandbox('old', true)); // changed meanwhile: newer than the listing
      tracker.publishListing([], startedAt);
      assert.deepEqual(hub.take(), ['sandbox:old:not-ready', 'sandbox:created-meanwhile:not-ready', 'sandbox:old:ready']);
      tracker.publishListing([], tracker.sequence);
      assert.deepEqual(hub.take().sort(), ['deleted:created-meanwhile', 'deleted:old']);
    });

    it('cannot resurrect an id deleted while it was being read', () => {
      const { tracker, hub } = tracked();
      tracker.publish(testSandbox('a'));
      const startedAt = tracker.sequence;
      tracker.publishDeleted('a');
      tracker.publishListing([testSandbox('a', true)], startedAt);
      assert.deepEqual(hub.take(), ['sandbox:a:not-ready', 'deleted:a']);
    });

    it('brings back an id deleted before the listing began (it was re-created)', () => {
      const { tracker, hub } = tracked();
      tracker.publish(testSandbox('a'));
      tracker.publishDeleted('a');
      tracker.publishListing([testSandbox('a', true)], tracker.sequence);
      assert.equal(tracker.isDeleted('a'), false);
      assert.deepEqual(hub.take(), ['sandbox:a:not-ready', 'deleted:a', 'sandbox:a:ready']);
    });
  });
});
