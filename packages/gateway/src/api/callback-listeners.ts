import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { GatewayListenerRequirement } from '@shellgate/driver-sdk';
import { ErrorCode, ShellgateError, parseListenerAddress } from '@shellgate/driver-sdk';

/** The host facts listener resolution needs; injectable so tests need no particular network. */
export interface HostNetwork {
  /** IPv4 address of the interface that carries the default route, if any. */
  defaultRouteIpv4(): string | undefined;
}

export const systemHostNetwork: HostNetwork = {
  defaultRouteIpv4(): string | undefined {
    let table: string;
    try {
      table = readFileSync('/proc/net/route', 'utf8');
    } catch {
      return undefined;
    }
    const row = table.split('\n').slice(1).map((line) => line.trim().split(/\s+/)).find((cols) => cols[1] === '00000000');
    const iface = row?.[0];
    if (iface === undefined) return undefined;
    return networkInterfaces()[iface]?.find((a) => a.family === 'IPv4')?.address;
  },
};

/** One extra listener a driver needs: where to bind and why. */
export interface CallbackListener {
  readonly driver: string;
  readonly host: string;
  readonly port: number;
  readonly reason: string;
}

/**
 * Turns a driver's listener requirements into bind addresses, refusing anything unsafe: a
 * port other than the primary listener's, a wildcard address, or a public address (the
 * callback listeners serve sandboxes, which live on private networks).
 */
export function resolveCallbackListeners(
  driver: string,
  requirements: readonly GatewayListenerRequirement[],
  primaryPort: number,
  network: HostNetwork = systemHostNetwork,
): CallbackListener[] {
  const listeners: CallbackListener[] = [];
  for (const requirement of requirements) {
    const selector = requirement.selector;
    const reason = requirement.reason || 'sandbox callbacks';
    let host: string;
    switch (selector?.$case) {
      case 'exactBindAddress':
        host = parseExactAddress(driver, selector.exactBindAddress, primaryPort);
        break;
      case 'defaultRouteInterface': {
        const address = network.defaultRouteIpv4();
        if (address === undefined) throw listenerError(driver, 'asks for the default-route interface, but this host has no IPv4 default route');
        host = address;
        break;
      }
      case 'loopbackInterface':
        host = '127.0.0.1';
        break;
      default:
        throw listenerError(driver, 'sent a listener requirement with no selector');
    }
    if (!isPrivateAddress(host)) {
      throw listenerError(driver, `asks for a listener on ${host}, which is not a private or loopback address`);
    }
    listeners.push({ driver, host, port: primaryPort, reason });
  }
  return listeners;
}

/** Takes `IP` or `IP:port` (upstream's form); the port, if given, must be the primary one. */
function parseExactAddress(driver: string, text: string, primaryPort: number): string {
  const address = parseListenerAddress(text);
  if (address === undefined) throw listenerError(driver, `asks for exact bind address ${JSON.stringify(text)}, which is not IP or IP:port`);
  const { host, port } = address;
  if (host === '0.0.0.0' || host === '::') throw listenerError(driver, `asks for the wildcard address ${host}; callback listeners bind one address`);
  if (port !== undefined && port !== primaryPort) {
    throw listenerError(driver, `asks for port ${port}, but callback listeners use the primary port ${primaryPort}`);
  }
  return host;
}

/** RFC 1918, loopback, link-local and IPv6 unique-local/loopback addresses. */
export function isPrivateAddress(host: string): boolean {
  if (isIP(host) === 4) {
    const [a = 0, b = 0] = host.split('.').map(Number);
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254);
  }
  if (isIP(host) === 6) {
    const lower = host.toLowerCase();
    return lower === '::1' || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower);
  }
  return false;
}

function listenerError(driver: string, problem: string): ShellgateError {
  return new ShellgateError(ErrorCode.FailedPrecondition, `driver ${JSON.stringify(driver)} ${problem}`, {
    hint: 'fix the driver\'s network settings (e.g. its host gateway IP) or report this to the driver\'s author',
    details: { driver },
  });
}
