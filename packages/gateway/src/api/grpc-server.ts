import type { Settings } from 'node:http2';
import { Server } from '@grpc/grpc-js';

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

/** The part of grpc-js's Server (1.14) we reach into; see {@link createApiGrpcServer}. */
interface ServerInternals {
  commonServerOptions?: { settings?: Settings };
}

/**
 * A grpc-js Server that advertises {@link API_HTTP2_SETTINGS}. grpc-js has no server option for
 * them (grpc/grpc-node#3058 is open); it hands `commonServerOptions` to http2.createServer, so
 * they are set there. `isTuned` is false if a grpc-js upgrade moved that field; the server then
 * works with Node's defaults, only slower (a test holds the advertised settings).
 */
export function createApiGrpcServer(): { server: Server; isTuned: boolean } {
  const server = new Server();
  const internals = server as unknown as ServerInternals;
  if (internals.commonServerOptions === undefined) return { server, isTuned: false };
  internals.commonServerOptions.settings = { ...internals.commonServerOptions.settings, ...API_HTTP2_SETTINGS };
  return { server, isTuned: true };
}
