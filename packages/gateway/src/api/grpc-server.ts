import type { Http2Server, Http2Session, Settings } from 'node:http2';
import { Server } from '@grpc/grpc-js';
import { MAX_RECEIVE_MESSAGE_BYTES } from '@shellgate/driver-sdk';

/**
 * HTTP/2 settings our API listeners advertise. Node's defaults (16 KiB frames, 64 KiB stream
 * window) cut exec output into 16 KiB frames, each one a round through nghttp2 and a JS
 * callback, and stall a stream every 64 KiB: measured, exec output through the gateway went
 * from ~70 to ~94 MB/s and the gateway's CPU per GB halved with these.
 */
export const API_HTTP2_SETTINGS: Readonly<Settings> = {
  initialWindowSize: 4 * 1024 * 1024,
  maxFrameSize: 1024 * 1024,
};

/**
 * The connection-level receive window of every client connection. SETTINGS only size stream
 * windows; the connection's stays at 64 KiB unless widened per session, and then it caps
 * all streams of a connection together (a supervisor's exec output shares one connection).
 */
export const API_CONNECTION_WINDOW_BYTES = 8 * 1024 * 1024;

/** The parts of grpc-js's Server (1.14) we reach into; see {@link createApiGrpcServer}. */
interface ServerInternals {
  commonServerOptions?: { settings?: Settings };
  http2Servers?: Map<Http2Server, unknown>;
}

const widenedServers = new WeakSet<Http2Server>();

/**
 * A grpc-js Server that advertises {@link API_HTTP2_SETTINGS}. grpc-js has no server option for
 * them (grpc/grpc-node#3058 is open); it hands `commonServerOptions` to http2.createServer, so
 * they are set there, and {@link widenConnectionWindows} finds its http2 servers after a bind.
 * `isTuned` is false if a grpc-js upgrade moved either field; the server then works with Node's
 * defaults, only slower (a test holds the advertised settings and the connection window).
 */
export function createApiGrpcServer(): { server: Server; isTuned: boolean } {
  const server = new Server({ 'grpc.max_receive_message_length': MAX_RECEIVE_MESSAGE_BYTES });
  const internals = server as unknown as ServerInternals;
  if (internals.commonServerOptions === undefined || internals.http2Servers === undefined) return { server, isTuned: false };
  internals.commonServerOptions.settings = { ...internals.commonServerOptions.settings, ...API_HTTP2_SETTINGS };
  return { server, isTuned: true };
}

/** Widens the connection window of every session on the servers bound so far; call after each bind. */
export function widenConnectionWindows(server: Server): void {
  const http2Servers = (server as unknown as ServerInternals).http2Servers;
  if (http2Servers === undefined) return;
  for (const http2Server of http2Servers.keys()) {
    if (widenedServers.has(http2Server)) continue;
    widenedServers.add(http2Server);
    http2Server.on('session', (session: Http2Session) => session.setLocalWindowSize(API_CONNECTION_WINDOW_BYTES));
  }
}
