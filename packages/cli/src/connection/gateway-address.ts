import { UsageError } from '../errors.js';

/** The public API's default port (ARCHITECTURE.md: "default port 17670"). */
export const DEFAULT_GATEWAY_PORT = 17670;
/** Where `shellgate` looks for the gateway when nothing is configured. */
export const DEFAULT_GATEWAY_ADDRESS = `127.0.0.1:${DEFAULT_GATEWAY_PORT}`;

/** A gateway address resolved into a grpc-js target. */
export interface GatewayAddress {
  /** What grpc-js dials: `host:port` or `unix:/path`. */
  readonly target: string;
  /** How we name the gateway in messages: `host:port`, or the URL the user gave. */
  readonly display: string;
  /** True for `https://`; TLS flags also turn it on for bare `host:port`. */
  readonly isTls: boolean;
  /** True when the user asked for plaintext explicitly with `http://`. */
  readonly isExplicitPlaintext: boolean;
  readonly host: string;
}

/**
 * Reads `host:port`, `host` (port 17670), `http://host[:port]`, `https://host[:port]` or
 * `unix:/path`. `source` names where the value came from, for the error message.
 */
export function parseGatewayAddress(text: string, source: string): GatewayAddress {
  const trimmed = text.trim();
  if (trimmed.startsWith('unix:')) {
    return { target: trimmed, display: trimmed, isTls: false, isExplicitPlaintext: true, host: 'localhost' };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'http' && scheme !== 'https') {
    throw invalid(text, source, `unsupported scheme "${scheme}://"`);
  }
  let url: URL;
  try {
    url = new URL(scheme === undefined ? `http://${trimmed}` : trimmed);
  } catch {
    throw invalid(text, source, 'not a host:port or URL');
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.username !== '' || url.hash !== '') {
    throw invalid(text, source, 'only a host and a port are allowed');
  }
  if (url.hostname === '') throw invalid(text, source, 'the host is empty');
  const isTls = scheme === 'https';
  // URL drops a port equal to the scheme's default, so a missing port means: given none,
  // or given 80/443 with that scheme. Only a bare host gets the gateway's own default.
  const defaultPort = scheme === undefined ? DEFAULT_GATEWAY_PORT : isTls ? 443 : 80;
  const hasExplicitPort = /:\d+$/.test(trimmed.replace(/\/$/, ''));
  const port = url.port !== '' ? url.port : hasExplicitPort && scheme === undefined ? '80' : String(defaultPort);
  const target = `${url.hostname}:${port}`;
  return { target, display: target, isTls, isExplicitPlaintext: scheme === 'http', host: url.hostname.replace(/^\[|\]$/g, '') };
}

function invalid(text: string, source: string, reason: string): UsageError {
  return new UsageError(
    `${source}: invalid gateway address "${text}" (${reason})`,
    'use host:port, http://host:port or https://host:port',
  );
}

/** True for addresses that never leave the machine, where plaintext is not a risk. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
