import { isIP } from 'node:net';

/** A `GatewayListenerRequirement.exact_bind_address`, split. */
export interface ListenerAddress {
  readonly host: string;
  /** Absent when the driver sent a bare IP (older Shellgate drivers did). */
  readonly port: number | undefined;
}

/**
 * `exact_bind_address` for a gateway listener: `IP:port` (`[IPv6]:port`), the form upstream
 * OpenShell's gateway parses as a socket address; a bare IP makes it refuse to start.
 */
export function formatListenerAddress(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * Reads `IP`, `IP:port`, `[IPv6]` or `[IPv6]:port`; undefined when the host is not an IP
 * address or the port is not 1-65535.
 */
export function parseListenerAddress(text: string): ListenerAddress | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const hostPort = /^([^:]+):(\d+)$/.exec(text);
  const host = bracketed?.[1] ?? hostPort?.[1] ?? text;
  const portText = bracketed?.[2] ?? hostPort?.[2];
  if (isIP(host) === 0) return undefined;
  if (portText === undefined) return { host, port: undefined };
  const port = Number(portText);
  return Number.isInteger(port) && port >= 1 && port <= 65_535 ? { host, port } : undefined;
}
