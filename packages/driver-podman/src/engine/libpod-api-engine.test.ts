import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import { ErrorCode, isShellgateError } from '@shellgate/driver-sdk';

import { toDriverError } from '../errors.js';
import { LibpodApiEngine } from './libpod-api-engine.js';
import type { PodmanCreateSpec } from './podman-engine.js';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

/** A Podman service stand-in on a temp Unix socket: answers by `METHOD path` (query left out), records every request. */
async function withLibpod(routes: Record<string, Handler>, test: (engine: LibpodApiEngine, seen: string[]) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'sg-libpod-'));
  const seen: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push(`${request.method} ${request.url}`);
      const route = routes[`${request.method} ${(request.url ?? '').split('?')[0]}`];
      if (route === undefined) return void response.writeHead(404).end('{"message":"no route"}');
      route(request, body, response);
    });
  });
  const socketPath = join(root, 'podman.sock');
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const engine = new LibpodApiEngine({ kind: 'unix', socketPath, endpoint: `unix://${socketPath}` });
  try {
    await test(engine, seen);
  } finally {
    engine.close();
    server.close();
    await rm(root, { recursive: true, force: true });
  }
}

const json = (status: number, value: unknown): Handler => (_request, _body, response) => void response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(value));
const signal = new AbortController().signal;
const ID = '82806ef42a83ad8885fc8188caf1e564dc414b12f46289e05470365413e5b6cd';
const BOX: PodmanCreateSpec = {
  name: 'box',
  imageId: 'c2cacd46b93c',
  entrypoint: [],
  command: ['sleep', '60'],
  user: '',
  hasInit: true,
  isTty: false,
  env: {},
  labels: {},
  network: { mode: 'bridge', networkName: 'shellgate' },
  hostEntries: [],
  mounts: [],
  cpuMillicores: 0,
  memoryBytes: 0,
  pidsLimit: 0,
  cdiDevices: [],
  userns: '',
  stopTimeoutSeconds: 45,
};

void describe('LibpodApiEngine', () => {
  void it('pings outside the libpod tree and reads libpod/info', async () => {
    await withLibpod(
      {
        'GET /_ping': (_request, _body, response) => void response.writeHead(200, { 'Api-Version': '1.41', 'Libpod-Api-Version': '4.3.1' }).end('OK'),
        'GET /v4.0.0/libpod/info': json(200, { host: { cgroupVersion: 'v1', security: { rootless: false } }, version: { Version: '4.3.1' } }),
      },
      async (engine) => {
        assert.deepEqual(await engine.ping(signal), { apiVersion: '1.41', libpodApiVersion: '4.3.1' });
        assert.deepEqual(await engine.info(signal), { version: '4.3.1', isRootless: false, cgroupVersion: 'v1' });
      },
    );
  });

  void it("reads libpod's 500s in Docker's words: a container gone is not found, a name in use a conflict", async () => {
    // Both bodies as Podman 4.3.1 sent them.
    const gone = json(500, { cause: 'no such container', message: `container ${ID} does not exist in database: no such container`, response: 500 });
    await withLibpod(
      {
        [`GET /v4.0.0/libpod/containers/${ID}/json`]: gone,
        [`DELETE /v4.0.0/libpod/containers/${ID}`]: gone,
        'POST /v4.0.0/libpod/containers/create': json(500, {
          cause: 'that name is already in use',
          message: `creating container storage: the container name "box" is already in use by ${ID}. You have to remove that container to be able to reuse that name: that name is already in use`,
          response: 500,
        }),
      },
      async (engine, seen) => {
        assert.equal(await engine.inspectContainer(ID, signal), undefined);
        assert.equal(await engine.removeContainer(ID, signal), false);
        assert.match(seen.at(-1) ?? '', /\?force=true&volumes=true$/, 'anonymous volumes go with the container');
        const conflict = await engine.createContainer(BOX, signal).catch((error: unknown) => error);
        const mapped = toDriverError(conflict, { operation: 'create container', sandboxId: 'sbx-1' });
        assert.ok(isShellgateError(mapped));
        assert.equal(mapped.code, ErrorCode.AlreadyExists);
      },
    );
  });

  void it('fails a pull on its error line (HTTP 200), and passes progress on', async () => {
    const pullFailed = ['{"stream":"Trying to pull docker.io/library/nosuchimage:1...\\n"}', '{"error":"initializing source docker://nosuchimage:1: pinging container registry registry-1.docker.io: no such host"}'];
    await withLibpod({ 'POST /v4.0.0/libpod/images/pull': (_request, _body, response) => void response.writeHead(200).end(`${pullFailed.join('\n')}\n`) }, async (engine, seen) => {
      const progress: string[] = [];
      await assert.rejects(engine.pullImage('docker.io/library/nosuchimage:1', (line) => progress.push(line.status), signal), /pinging container registry/);
      assert.deepEqual(progress, ['Trying to pull docker.io/library/nosuchimage:1...']);
      assert.match(seen[0] ?? '', /reference=docker.io%2Flibrary%2Fnosuchimage%3A1&policy=always/);
    });
  });

  void it('stops with libpod\'s timeout parameter and lists by ANDed label filters', async () => {
    await withLibpod(
      {
        [`POST /v4.0.0/libpod/containers/${ID}/stop`]: (_request, _body, response) => void response.writeHead(304).end(),
        'GET /v4.0.0/libpod/containers/json': json(200, [{ Id: ID }]),
      },
      async (engine, seen) => {
        await engine.stopContainer(ID, 45, signal);
        assert.deepEqual(await engine.listContainerIds(['a=1', 'b=2'], signal), [ID]);
        assert.match(seen[0] ?? '', /\/stop\?timeout=45$/);
        assert.match(decodeURIComponent(seen[1] ?? ''), /all=true&filters=\{"label":\["a=1","b=2"\]\}$/);
      },
    );
  });
});
