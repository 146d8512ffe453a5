import type { Logger } from '@shellgate/driver-sdk';

import { KubernetesAccessError, toDriverError } from '../errors.js';
import type { KubeApi, KubePermission } from './kube-api.js';

/** What the driver does in its namespace; deploy/k8s's Role grants exactly these. */
export function toRequiredPermissions(options: { readonly hasVolumeClaims: boolean; readonly hasNetworkPolicy: boolean }): KubePermission[] {
  const core = (resource: string, verbs: readonly string[]): KubePermission[] => verbs.map((verb) => ({ verb, resource, group: '' }));
  return [
    ...core('pods', ['create', 'get', 'list', 'watch', 'delete']),
    ...core('secrets', ['create', 'get', 'list', 'patch', 'delete']),
    ...core('events', ['list', 'watch']),
    ...(options.hasVolumeClaims ? core('persistentvolumeclaims', ['create', 'get', 'delete']) : []),
    ...(options.hasNetworkPolicy ? [{ verb: 'create', resource: 'networkpolicies', group: 'networking.k8s.io' }, { verb: 'get', resource: 'networkpolicies', group: 'networking.k8s.io' }] : []),
  ];
}

function describePermission(permission: KubePermission): string {
  return `${permission.verb} ${permission.group === '' ? '' : `${permission.group}/`}${permission.resource}`;
}

/**
 * Checks at start that the API server answers, that it accepts the driver's credentials, that
 * the namespace exists (creating it when allowed) and that the identity holds every permission
 * of {@link toRequiredPermissions} there (SelfSubjectAccessReview, which every authenticated
 * user may ask). Each failure names the server, the identity and what is missing.
 * @throws KubernetesAccessError (the driver exits 2).
 */
export async function checkClusterAccess(
  api: KubeApi,
  options: { readonly permissions: readonly KubePermission[]; readonly namespaceLabels: Readonly<Record<string, string>>; readonly source: string; readonly logger: Logger },
  signal: AbortSignal,
): Promise<{ readonly user: string }> {
  const { server, namespace } = api;
  const failure = (what: string, error: unknown): KubernetesAccessError => {
    const mapped = toDriverError(error, { operation: what, server });
    return new KubernetesAccessError(`${mapped.message} (cluster access from ${options.source})`, {
      hint: mapped.hint ?? 'check the kubeconfig the driver uses and that the API server is up',
      cause: error,
    });
  };
  let denied: KubePermission[];
  try {
    denied = await api.findDeniedPermissions(options.permissions, signal);
  } catch (error) {
    throw failure('check the driver\'s permissions', error);
  }
  const user = await api.whoAmI(signal);
  if (denied.length > 0) {
    throw new KubernetesAccessError(
      `${user} may not ${denied.map(describePermission).join(', ')} in namespace ${JSON.stringify(namespace)} on ${server} (cluster access from ${options.source})`,
      { hint: 'bind the driver\'s identity to the Role in deploy/k8s (it lists exactly the verbs the driver uses)', details: { denied: denied.map(describePermission) } },
    );
  }
  let state: 'exists' | 'missing' | 'unknown';
  try {
    state = await api.namespaceState(signal);
  } catch (error) {
    throw failure(`read namespace ${namespace}`, error);
  }
  if (state === 'unknown') options.logger.debug('may not read namespaces; assuming the namespace exists', { namespace });
  if (state === 'missing') {
    try {
      await api.createNamespace(options.namespaceLabels, signal);
      options.logger.info('namespace created', { namespace });
    } catch (error) {
      throw new KubernetesAccessError(`namespace ${JSON.stringify(namespace)} does not exist on ${server} and ${user} could not create it: ${toDriverError(error, { operation: 'create namespace', server }).message}`, {
        hint: `create it (kubectl create namespace ${namespace}) or set the namespace key to one that exists`,
        cause: error,
      });
    }
  }
  return { user };
}
