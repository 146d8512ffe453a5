import { toContainerLabels } from '@shellgate/container-engine';
import { toGatewayOwnedLabels, toOwnershipSelectors } from '@shellgate/driver-sdk';
import type { DriverSandbox } from '@shellgate/driver-sdk';

import type { KubeApi } from './cluster/kube-api.js';
import { isKubeStatus } from './cluster/kube-status.js';
import { toSandboxObjectNames } from './pod/sandbox-names.js';

/** The name of the one NetworkPolicy per gateway and namespace. */
export function toIsolationPolicyName(gatewayId: string): string {
  return `shellgate-isolation-${gatewayId}`.toLowerCase().replace(/[^a-z0-9-]+/g, '-').slice(0, 253);
}

/**
 * Makes sure the namespace holds our NetworkPolicy: every sandbox pod of this gateway denies all
 * ingress, so no sandbox (nor anything else) can connect to another; egress is untouched, so
 * pods still call the gateway back. Clusters whose network plugin does not enforce policies
 * accept it and ignore it (documented). Created once; an existing one is kept as it is.
 */
export async function ensureIsolationPolicy(api: KubeApi, gatewayId: string, signal: AbortSignal): Promise<void> {
  const name = toIsolationPolicyName(gatewayId);
  if ((await api.readNetworkPolicy(name, signal)) !== undefined) return;
  const matchLabels = Object.fromEntries(toOwnershipSelectors(gatewayId).map((selector) => selector.split('=') as [string, string]));
  try {
    await api.createNetworkPolicy(
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name, labels: toGatewayOwnedLabels(gatewayId) },
        spec: { podSelector: { matchLabels }, policyTypes: ['Ingress'], ingress: [] },
      },
      signal,
    );
  } catch (error) {
    if (!isKubeStatus(error, 409)) throw error;
  }
}

/** Creates the sandbox's /sandbox claim unless it exists (a stopped sandbox keeps its claim). */
export async function ensureSandboxClaim(
  api: KubeApi,
  sandbox: DriverSandbox,
  options: { readonly storageClass: string; readonly size: string; readonly gatewayId: string },
  signal: AbortSignal,
): Promise<void> {
  try {
    await api.createPersistentVolumeClaim(
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: toSandboxObjectNames(sandbox).claim, labels: toContainerLabels(sandbox, options.gatewayId) },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: options.storageClass, resources: { requests: { storage: options.size } } },
      },
      signal,
    );
  } catch (error) {
    if (!isKubeStatus(error, 409)) throw error;
  }
}

/** Deletes the sandbox's claim; false when there is none, or when the identity may not touch claims (then it made none). */
export async function deleteClaimIfAllowed(api: KubeApi, name: string, signal: AbortSignal): Promise<boolean> {
  try {
    return await api.deletePersistentVolumeClaim(name, signal);
  } catch (error) {
    if (isKubeStatus(error, 403)) return false;
    throw error;
  }
}
