import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';

import { decodeContainerEvent, readContainerEvents } from './container-event.js';
import type { ContainerEvent } from './container-event.js';
import { LIBPOD_EVENT_STREAM } from './testdata/libpod-payloads.js';
import { readDockerFixtureText } from './testdata/read-fixture.js';

async function collect(stream: Readable): Promise<ContainerEvent[]> {
  const events: ContainerEvent[] = [];
  for await (const event of readContainerEvents(stream)) events.push(event);
  return events;
}

const summary = (event: ContainerEvent): string => `${event.containerId.slice(0, 6)} ${event.action}${event.exitCode === undefined ? '' : ` ${event.exitCode}`}`;

void describe('container events', () => {
  void it('reads a Docker 20.10 event stream as it came off the socket', async () => {
    // Split into 100-byte chunks: lines arrive cut in two, as they may from a socket.
    const text = readDockerFixtureText('container-events.jsonl');
    const chunks = Array.from({ length: Math.ceil(text.length / 100) }, (_, i) => Buffer.from(text.slice(i * 100, i * 100 + 100)));
    const events = await collect(Readable.from(chunks));
    assert.deepEqual(events.map(summary), [
      '1cbe65 create',
      '1cbe65 start',
      '6d9311 create',
      '6d9311 start',
      '6d9311 die 3',
      '6d9311 destroy',
      '1cbe65 kill',
      '1cbe65 die 137',
      '1cbe65 destroy',
    ]);
    const first = events[0]!;
    assert.equal(first.labels['dev.shellgate.sandbox-id'], 'sbx-fixture-1');
    assert.equal(first.labels['name'], 'engine-fixture-4461', "the engine's own attributes come along");
    assert.equal(first.timeMs, 1796530170716);
  });

  void it("reads libpod's event stream in Docker's words (died → die, remove → destroy, containerExitCode)", async () => {
    const events = await collect(Readable.from([LIBPOD_EVENT_STREAM]));
    assert.deepEqual(events.map(summary), ['5c1b2f create', '5c1b2f init', '5c1b2f start', '5c1b2f die 137', '5c1b2f destroy 137']);
    assert.equal(events[0]!.labels['dev.shellgate.sandbox-id'], 'sbx-fixture-3');
    assert.equal(events[0]!.timeMs, 1796530801123);
  });

  void it('drops the detail after a colon and skips lines that name no container', () => {
    const exec = decodeContainerEvent({ Type: 'container', Action: 'exec_start: sh -c true', Actor: { ID: 'c1', Attributes: {} }, timeNano: 2e15 });
    assert.deepEqual(exec, { containerId: 'c1', action: 'exec_start', labels: {}, timeMs: 2e9 });
    assert.equal(decodeContainerEvent({ Type: 'container', Action: 'start' }), undefined);
    assert.equal(decodeContainerEvent({ Actor: { ID: 'c1' } }), undefined);
  });

  void it('destroys the stream when the reader stops early', async () => {
    const stream = Readable.from([LIBPOD_EVENT_STREAM]);
    for await (const event of readContainerEvents(stream)) {
      assert.equal(event.action, 'create');
      break;
    }
    assert.equal(stream.destroyed, true);
  });
});
