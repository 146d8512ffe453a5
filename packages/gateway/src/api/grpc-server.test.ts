import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Settings } from 'node:http2';
import { describe, it } from 'node:test';
import { ServerCredentials } from '@grpc/grpc-js';
import { API_CONNECTION_WINDOW_BYTES, API_HTTP2_SETTINGS, createApiGrpcServer, widenConnectionWindows } from './grpc-server.js';

/** Every test here waits on a socket, a stream or a child process: a bound names the one that hangs. */
const SUITE_TIMEOUT_MS = 120_000;

describe('createApiGrpcServer', { timeout: SUITE_TIMEOUT_MS }, () => {
  it('advertises the larger HTTP/2 window and frame size to clients (fails if grpc-js moved its options)', async () => {
    const { server, isTuned } = createApiGrpcServer();
    assert.equal(isTuned, true);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error))),
    );
    const session = connect(`http://127.0.0.1:${port}`);
    // The server's forced shutdown below resets the connection; that is not what is tested.
    session.on('error', () => undefined);
    try {
      const [settings] = (await once(session, 'remoteSettings')) as [Settings];
      assert.equal(settings.maxFrameSize, API_HTTP2_SETTINGS.maxFrameSize);
      assert.equal(settings.initialWindowSize, API_HTTP2_SETTINGS.initialWindowSize);
    } finally {
      session.close();
      server.forceShutdown();
    }
  });
});

describe('widenConnectionWindows', { timeout: SUITE_TIMEOUT_MS }, () => {
  it('opens the connection-level window of every client connection beyond the 64 KiB default', async () => {
    const { server } = createApiGrpcServer();
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error === null ? resolve(bound) : reject(error))),
    );
    widenConnectionWindows(server);
    const session = connect(`http://127.0.0.1:${port}`);
    // The server's forced shutdown below resets the connection; that is not what is tested.
    session.on('error', () => undefined);
    try {
      await once(session, 'remoteSettings');
      const deadline = Date.now() + 5_000;
      while ((session.state.remoteWindowSize ?? 0) < API_CONNECTION_WINDOW_BYTES && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(session.state.remoteWindowSize, API_CONNECTION_WINDOW_BYTES);
    } finally {
      session.close();
      server.forceShutdown();
    }
  });
});
