import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';

import { decodeContainerEvent, readContainerEvents } from './container-event.js';
import type { ContainerEvent } from './container-event.js';
import { readDockerFixtureText, readPodmanFixtureText } from './testdata/read-fixture.js';

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

  void it("reads a Podman 4.3 libpod event stream in Docker's words (died → die, remove → destroy, containerExitCode)", async () => {
    const events = await collect(Readable.from([readPodmanFixtureText('container-events.jsonl')]));
    assert.deepEqual(events.map(summary), [
      '82806e create 0',
      '82806e init 0',
      '82806e start 0',
      '82806e exec 0',
      '82806e exec_died 0',
      'b59803 create 0',
      'b59803 init 0',
      'b59803 start 0',
      '82806e die 143',
      '82806e cleanup 0',
      '82806e cleanup 0',
      'e88660 create 0',
      'e88660 init 0',
      'e88660 start 0',
      'e88660 die 3',
      'e88660 cleanup 0',
      '82806e init 0',
      '82806e start 0',
      '82806e kill 0',
      '82806e die 137',
      '82806e cleanup 0',
      'e88660 destroy 0',
    ]);
    assert.equal(events[0]!.labels['shellgate.dev/sandbox-id'], 'cap-1');
    assert.equal(events[0]!.labels['name'], 'sg-capture-running', "the engine's own attributes come along");
    assert.equal(events[0]!.timeMs, 1796532364778);
  });

  void it('drops the detail after a colon and skips lines that name no container', () => {
    const exec = decodeContainerEvent({ Type: 'container', Action: 'exec_start: sh -c true', Actor: { ID: 'c1', Attributes: {} }, timeNano: 2e15 });
    assert.deepEqual(exec, { containerId: 'c1', action: 'exec_start', labels: {}, timeMs: 2e9 });
    assert.equal(decodeContainerEvent({ Type: 'container', Action: 'start' }), undefined);
    assert.equal(decodeContainerEvent({ Actor: { ID: 'c1' } }), undefined);
  });

  void it('destroys the stream when the reader stops early', async () => {
    const stream = Readable.from([readPodmanFixtureText('container-events.jsonl')]);
    for await (const event of readContainerEvents(stream)) {
      assert.equal(event.action, 'create');
      break;
    }
    assert.equal(stream.destroyed, true);
  });
});
