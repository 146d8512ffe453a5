import { readFileSync } from 'node:fs';
import { credentials, Metadata } from '@grpc/grpc-js';
import type { ChannelCredentials } from '@grpc/grpc-js';
import { OpenShellClient } from '@shellgate/api';
import type { CliConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { isLoopbackHost } from './gateway-address.js';
import { GatewayClient } from './gateway-client.js';

/**
 * A 4 MiB HTTP/2 receive window instead of 64 KiB, so `sandbox exec` output streams without a
 * stall every 64 KiB (the gateway advertises the same window for what it receives).
 */
const CHANNEL_OPTIONS = { 'grpc-node.flow_control_window': 4 * 1024 * 1024 };

/** Reads a local file; injected so tests need no real files. */
export type ReadFile = (path: string) => Buffer;

/** Where a warning goes (stderr in the real binary). */
export type WarnFn = (line: string) => void;

/**
 * Builds the client for the configured gateway: TLS credentials from the --tls-* files,
 * and the bearer token (read once, never printed) as `authorization` metadata on every call.
 */
export function createGatewayClient(config: CliConfig, warn: WarnFn, readFile: ReadFile = readFileSync): GatewayClient {
  const channelCredentials = createChannelCredentials(config, readFile);
  const token = config.tokenFile === undefined ? undefined : readToken(config.tokenFile.path, config.tokenFile.source, readFile);
  if (token !== undefined && !config.isTls && !isLoopbackHost(config.gateway.host)) {
    warn(`warning: sending a bearer token in plaintext to ${config.gateway.display}; use https:// to protect it`);
  }
  const client = new OpenShellClient(config.gateway.target, channelCredentials, CHANNEL_OPTIONS);
  const metadata = (): Metadata => {
    const result = new Metadata();
    if (token !== undefined) result.set('authorization', `Bearer ${token}`);
    return result;
  };
  return new GatewayClient(client, { metadata, gateway: config.gateway.display, timeoutMs: config.callTimeoutMs });
}

function createChannelCredentials(config: CliConfig, readFile: ReadFile): ChannelCredentials {
  if (!config.isTls) return credentials.createInsecure();
  const ca = config.tlsCaFile === undefined ? null : readLocal(config.tlsCaFile, '--tls-ca', readFile);
  const key = config.tlsKeyFile === undefined ? null : readLocal(config.tlsKeyFile, '--tls-key', readFile);
  const cert = config.tlsCertFile === undefined ? null : readLocal(config.tlsCertFile, '--tls-cert', readFile);
  return credentials.createSsl(ca, key, cert);
}

function readToken(path: string, source: string, readFile: ReadFile): string {
  const token = readLocal(path, source, readFile).toString('utf8').trim();
  // The message names the file, never its content.
  if (token === '') throw new UsageError(`${source}: the token file ${path} is empty`, 'write the bearer token into it');
  if (/\s/.test(token)) throw new UsageError(`${source}: the token file ${path} holds more than one word`, 'it must hold only the token');
  return token;
}

function readLocal(path: string, source: string, readFile: ReadFile): Buffer {
  try {
    return readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const reason = typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
    throw new UsageError(`${source}: cannot read ${path} (${reason})`, 'check the path and its permissions');
  }
}
