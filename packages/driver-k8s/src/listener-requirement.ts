import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

import { formatListenerAddress } from '@shellgate/driver-sdk';
import type { GatewayListenerRequirement } from '@shellgate/driver-sdk';

/** The addresses of this machine's interfaces. */
export function listLocalAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((entries) => (entries ?? []).map((entry) => entry.address));
}

/**
 * What the gateway must listen on for pods to reach `endpoint`: its IP:port when that IP is
 * one of this machine's (a gateway outside the cluster, reached at the node-side bridge
 * address); nothing when the endpoint is a name or another machine's address (a Service in
 * front of a gateway in the cluster, which its own Deployment exposes).
 */
export function toListenerRequirements(endpoint: string, localAddresses: readonly string[]): GatewayListenerRequirement[] {
  const url = new URL(endpoint);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) === 0 || !localAddresses.includes(host)) return [];
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return [{ reason: `sandbox pods call the gateway back at ${endpoint} (gateway_endpoint)`, selector: { $case: 'exactBindAddress', exactBindAddress: formatListenerAddress(host, port) } }];
}
