import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { silentLogger } from '@shellgate/driver-sdk';

import { FakeKubeApi } from '../testdata/fake-kube-api.js';
import { checkClusterAccess, toRequiredPermissions } from './check-cluster-access.js';

const permissions = toRequiredPermissions({ hasVolumeClaims: false, hasNetworkPolicy: true });
const options = { permissions, namespaceLabels: {}, source: 'KUBECONFIG: /k', logger: silentLogger };

describe('checkClusterAccess', () => {
  it('names the server, the identity and every missing permission', async () => {
    const api = new FakeKubeApi();
    api.denied = [{ verb: 'watch', resource: 'pods', group: '' }, { verb: 'create', resource: 'networkpolicies', group: 'networking.k8s.io' }];
    await assert.rejects(checkClusterAccess(api, options, AbortSignal.timeout(5000)), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'INVALID_ARGUMENT');
      assert.match(error.message, /system:serviceaccount:sg-test:driver may not watch pods, create networking\.k8s\.io\/networkpolicies in namespace "sg-test" on https:\/\/fake:6443/);
      return true;
    });
  });

  it('an unreachable server fails naming it and the access source', async () => {
    const api = new FakeKubeApi();
    api.failures.set('findDeniedPermissions', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }));
    await assert.rejects(checkClusterAccess(api, options, AbortSignal.timeout(5000)), /https:\/\/fake:6443.*cannot reach the API server \(ECONNREFUSED\).*KUBECONFIG: \/k/);
  });

  it('creates a missing namespace when allowed, and says so clearly when not', async () => {
    const api = new FakeKubeApi();
    api.namespaceExists = false;
    await checkClusterAccess(api, options, AbortSignal.timeout(5000));
    assert.equal(api.namespaceExists, true);
    const refused = new FakeKubeApi();
    refused.namespaceExists = false;
    refused.failures.set('createNamespace', Object.assign(new Error('forbidden'), { code: 403, body: { message: 'namespaces is forbidden' } }));
    await assert.rejects(checkClusterAccess(refused, options, AbortSignal.timeout(5000)), /namespace "sg-test" does not exist .* could not create it/);
  });
});
