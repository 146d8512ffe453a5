import { readFileSync } from 'node:fs';
import { credentials, makeGenericClientConstructor, type ChannelCredentials, type ClientOptions } from '@grpc/grpc-js';
import { encodeExecFromSupervisor, SupervisorSessionService, type SupervisorSessionClient } from '@shellgate/api/session';
import type { GatewayEndpoint } from '../config/supervisor-config.js';
import { SupervisorError } from '../errors.js';
import { RECONNECT_BACKOFF } from './reconnect-backoff.js';

function readTlsFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new SupervisorError(`cannot read the TLS ${what} file ${path}`, { hint: 'check the driver mounted it and it is readable by this uid', cause });
  }
}

function toChannelCredentials(endpoint: GatewayEndpoint): ChannelCredentials {
  if (endpoint.tls === undefined) return credentials.createInsecure();
  const { caFile, certFile, keyFile } = endpoint.tls;
  return credentials.createSsl(
    caFile === undefined ? null : readTlsFile(caFile, 'CA'),
    keyFile === undefined ? null : readTlsFile(keyFile, 'key'),
    certFile === undefined ? null : readTlsFile(certFile, 'certificate'),
  );
}

/** The generated service with the fast output encoder on the Exec stream (wire-identical). */
const SessionClientConstructor = makeGenericClientConstructor(
  { ...SupervisorSessionService, exec: { ...SupervisorSessionService.exec, requestSerialize: encodeExecFromSupervisor } },
  'shellgate.supervisor.v1.SupervisorSession',
) as unknown as new (address: string, channelCredentials: ChannelCredentials, options?: Partial<ClientOptions>) => SupervisorSessionClient;

/** A grpc-js client for the gateway's SupervisorSession service at `endpoint`. */
export function createSessionClient(endpoint: GatewayEndpoint): SupervisorSessionClient {
  return new SessionClientConstructor(endpoint.target, toChannelCredentials(endpoint), {
    // grpc-js's own channel backoff defaults to 1 s .. 120 s, which would hold calls back long
    // after a restarted gateway is up again; match the session's reconnect policy instead.
    'grpc.initial_reconnect_backoff_ms': RECONNECT_BACKOFF.initialMs,
    'grpc.max_reconnect_backoff_ms': RECONNECT_BACKOFF.maxMs,
    // A vanished gateway host (no RST) is only noticed by pings.
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
  });
}
