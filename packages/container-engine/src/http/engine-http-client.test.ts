import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { EngineHost } from '../host/engine-host.js';
import { EngineHttpClient } from './engine-http-client.js';
import { EngineHttpError } from './engine-http-error.js';
import { readJsonLines } from './read-json-lines.js';

interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

/** An engine stand-in: records each request and answers by path. */
class FakeEngineServer {
  readonly seen: SeenRequest[] = [];
  connections = 0;
  closedStreams = 0;
  readonly server: Server;

  constructor() {
    this.server = createServer((request, response) => void this.#handle(request, response));
    this.server.on('connection', () => (this.connections += 1));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = request.url ?? '';
    this.seen.push({ method: request.method ?? '', url, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
    const path = url.split('?')[0] ?? '';
    if (path.endsWith('/_ping') && path.includes('/libpod')) {
      response.writeHead(200, { 'Api-Version': '1.41', 'Libpod-Api-Version': '4.9.3' }).end(request.method === 'HEAD' ? undefined : 'OK');
    } else if (path.endsWith('/_ping')) {
      response.writeHead(200, { 'Api-Version': '1.41', 'Content-Type': 'text/plain' }).end('OK');
    } else if (path === '/containers/c1/json' || path === '/v4.0.0/libpod/containers/c1/json') {
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ Id: 'c1' }));
    } else if (path === '/containers/missing/json') {
      response.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'No such container: missing' }));
    } else if (path === '/broken') {
      response.writeHead(502).end('Bad Gateway\n');
    } else if (path === '/events') {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.write('{"Action":"start"}\n');
      response.on('close', () => (this.closedStreams += 1));
    } else if (path === '/hang') {
      response.on('close', () => (this.closedStreams += 1));
    } else {
      response.writeHead(request.method === 'POST' ? 201 : 204).end(request.method === 'POST' ? JSON.stringify({ Id: 'new' }) : undefined);
    }
  }

  async listen(target: string | { host: string; port: number }): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(target, resolve));
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

void describe('EngineHttpClient over a Unix socket', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sg-engine-http-'));
  const socketPath = join(dir, 'engine.sock');
  const host: EngineHost = { kind: 'unix', socketPath, endpoint: `unix://${socketPath}` };
  const engine = new FakeEngineServer();
  const client = new EngineHttpClient(host);
  const signal = AbortSignal.timeout(20_000);

  before(() => engine.listen(socketPath));
  after(async () => {
    client.close();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  void it('sends JSON requests with a query and answers parsed JSON; names itself in User-Agent', async () => {
    assert.deepEqual(await client.json({ method: 'GET', path: '/containers/c1/json', query: { all: true, size: undefined, t: 5 }, signal }), { Id: 'c1' });
    const created = await client.json({ method: 'POST', path: '/containers/create', query: { name: 'n 1' }, body: { Image: 'sha256:x' }, signal });
    assert.deepEqual(created, { Id: 'new' });
    const [get, post] = engine.seen.slice(-2);
    assert.equal(get?.url, '/containers/c1/json?all=true&t=5');
    assert.equal(get?.headers['user-agent'], 'shellgate-container-engine');
    assert.equal(post?.url, '/containers/create?name=n+1');
    assert.equal(post?.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(post?.body ?? ''), { Image: 'sha256:x' });
  });

  void it('sends PUT and HEAD; an empty answer reads as undefined', async () => {
    assert.equal(await client.json({ method: 'PUT', path: '/containers/c1/archive', body: {}, signal }), undefined);
    const head = await client.send({ method: 'HEAD', path: '/v4.0.0/libpod/_ping', signal });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['libpod-api-version'], '4.9.3');
    assert.deepEqual(engine.seen.slice(-2).map((request) => request.method), ['PUT', 'HEAD']);
  });

  void it('rejects an error answer with an EngineHttpError carrying the status and the engine message', async () => {
    await assert.rejects(client.json({ method: 'GET', path: '/containers/missing/json', signal }), (error: unknown) => {
      assert.ok(error instanceof EngineHttpError);
      assert.equal(error.statusCode, 404);
      assert.equal(error.json?.message, 'No such container: missing');
      assert.equal(error.message, 'GET /containers/missing/json: (HTTP code 404) No such container: missing');
      return true;
    });
    await assert.rejects(client.text({ method: 'GET', path: '/broken', signal }), { statusCode: 502, json: undefined, message: 'GET /broken: (HTTP code 502) Bad Gateway' });
  });

  void it("pings: Docker's API version, and libpod's version that only Podman sends", async () => {
    assert.deepEqual(await client.ping(signal), { apiVersion: '1.41', libpodApiVersion: undefined });
    const libpod = client.withPathPrefix('/v4.0.0/libpod');
    assert.deepEqual(await libpod.ping(signal), { apiVersion: '1.41', libpodApiVersion: '4.9.3' });
    assert.equal(engine.seen.at(-1)?.url, '/v4.0.0/libpod/_ping');
  });

  void it('puts the path prefix before every path; a prefixed view shares the keep-alive connection', async () => {
    const before = engine.connections;
    const libpod = new EngineHttpClient(host, { pathPrefix: '/v4.0.0/libpod' });
    try {
      const compat = libpod.withPathPrefix('');
      assert.deepEqual(await libpod.json({ method: 'GET', path: '/containers/c1/json', signal }), { Id: 'c1' });
      assert.deepEqual(await compat.json({ method: 'GET', path: '/containers/c1/json', signal }), { Id: 'c1' });
      assert.deepEqual(engine.seen.slice(-2).map((request) => request.url), ['/v4.0.0/libpod/containers/c1/json', '/containers/c1/json']);
      assert.equal(engine.connections - before, 1, 'one connection for both clients');
    } finally {
      libpod.close();
    }
  });

  void it('streams an answer line by line until the caller aborts, which closes the request', async () => {
    const controller = new AbortController();
    const stream = await client.stream({ method: 'GET', path: '/events', signal: controller.signal });
    const lines = readJsonLines(stream);
    assert.deepEqual((await lines.next()).value, { Action: 'start' });
    const closedBefore = engine.closedStreams;
    controller.abort();
    // node:http ends an aborted answer with an error ("aborted"): the reader sees the stream drop.
    await assert.rejects(lines.next(), /aborted/);
    await waitUntil(() => engine.closedStreams > closedBefore);
  });

  void it('rejects with AbortError when aborted before the engine answers', async () => {
    const controller = new AbortController();
    const pending = client.json({ method: 'GET', path: '/hang', signal: controller.signal });
    await waitUntil(() => engine.seen.some((request) => request.url === '/hang'));
    controller.abort();
    await assert.rejects(pending, { name: 'AbortError' });
  });
});

void describe('EngineHttpClient over tcp', () => {
  const engine = new FakeEngineServer();
  let client: EngineHttpClient | undefined;

  before(() => engine.listen({ host: '127.0.0.1', port: 0 }));
  after(async () => {
    client?.close();
    await engine.close();
  });

  void it('talks plain HTTP to host:port', async () => {
    client = new EngineHttpClient({ kind: 'tcp', hostname: '127.0.0.1', port: engine.port, protocol: 'http', endpoint: `tcp://127.0.0.1:${engine.port}` });
    assert.deepEqual(await client.json({ method: 'GET', path: '/containers/c1/json', signal: AbortSignal.timeout(20_000) }), { Id: 'c1' });
  });
});

/** Polls `condition` on the event loop (no sleeps); the test timeout bounds it. */
async function waitUntil(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}
