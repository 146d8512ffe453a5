import { createServer } from 'node:net';
import { isIP } from 'node:net';

import { formatListenerAddress } from '@shellgate/driver-sdk';
import type { GatewayListenerRequirement } from '@shellgate/driver-sdk';

/**
 * Whether `host` is an address of this machine: whether a socket can bind it. Not
 * os.networkInterfaces(): libuv leaves out interfaces that are up but have no carrier, which is
 * a pod bridge while no pod is attached (the CNI bridge of an idle single-node cluster).
 */
export function canBindAddress(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port: 0, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * What the gateway must listen on for pods to reach `endpoint`: its IP:port when that IP is
 * one of this machine's (a gateway outside the cluster, reached at the node-side bridge
 * address); nothing when the endpoint is a name or another machine's address (a Service in
 * front of a gateway in the cluster, which its own Deployment exposes).
 */
export async function toListenerRequirements(endpoint: string, isLocalAddress: (host: string) => Promise<boolean>): Promise<GatewayListenerRequirement[]> {
  const url = new URL(endpoint);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) === 0 || !(await isLocalAddress(host))) return [];
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return [{ reason: `sandbox pods call the gateway back at ${endpoint} (gateway_endpoint)`, selector: { $case: 'exactBindAddress', exactBindAddress: formatListenerAddress(host, port) } }];
}
