import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

import { QmpClient, QmpError } from './qmp-client.js';
import type { QmpEvent } from './qmp-client.js';

const dir = mkdtempSync(join(tmpdir(), 'sg-qmp-'));
let sequence = 0;

/** A QMP server as QEMU speaks it: a greeting, then one answer per command line. */
async function startFakeQemu(onCommand: (command: { execute: string; id: number }, socket: Socket) => void, greeting = { QMP: { version: {}, capabilities: [] } }): Promise<{ path: string; server: Server; sockets: Socket[] }> {
  const path = join(dir, `qmp-${++sequence}.sock`);
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.write(`${JSON.stringify(greeting)}\r\n`);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        onCommand(JSON.parse(buffer.slice(0, newline)) as { execute: string; id: number }, socket);
        buffer = buffer.slice(newline + 1);
      }
    });
  });
  server.listen(path);
  await once(server, 'listening');
  return { path, server, sockets };
}

after(() => rmSync(dir, { recursive: true, force: true }));

describe('QmpClient', () => {
  it('negotiates capabilities, answers commands by id, emits events and closes when QEMU goes', async () => {
    const qemu = await startFakeQemu((command, socket) => {
      if (command.execute === 'query-status') {
        socket.write(`${JSON.stringify({ event: 'RESUME', data: {}, timestamp: {} })}\r\n`);
        socket.write(`${JSON.stringify({ return: { status: 'running' }, id: command.id })}\r\n`);
      } else if (command.execute === 'bogus') {
        socket.write(`${JSON.stringify({ error: { class: 'CommandNotFound', desc: 'The command bogus has not been found' }, id: command.id })}\r\n`);
      } else {
        socket.write(`${JSON.stringify({ return: {}, id: command.id })}\r\n`);
      }
    });
    const client = await QmpClient.connect(qemu.path, 5000);
    const events: QmpEvent[] = [];
    client.on('event', (event) => events.push(event));
    assert.deepEqual(await client.execute('query-status'), { status: 'running' });
    assert.deepEqual(events, [{ event: 'RESUME', data: {} }]);
    await assert.rejects(client.execute('bogus'), (error: Error) => error instanceof QmpError && /CommandNotFound/.test(error.message));
    const closed = once(client, 'close');
    for (const socket of qemu.sockets) socket.destroy();
    await closed;
    assert.equal(client.isClosed, true);
    await assert.rejects(client.execute('quit'), /closed/);
    qemu.server.close();
  });

  it('refuses a socket that does not greet as QMP, and one that is not there', async () => {
    const notQmp = await startFakeQemu(() => undefined, { hello: 'world' } as never);
    await assert.rejects(QmpClient.connect(notQmp.path, 5000), /did not greet as QMP/);
    notQmp.server.close();
    await assert.rejects(QmpClient.connect(join(dir, 'missing.sock'), 1000), (error: Error) => error instanceof QmpError);
  });
});
