// Every Kubernetes e2e suite of the driver, one after another, on the local cluster of
// scripts/engines/k8s.sh (start it first; without it every suite fails, none skips). Each suite
// works in a namespace of its own carrying the run label, deleted afterwards.
import { describe, it } from 'node:test';
import { requireK8sE2eEnvironment } from './k8s-e2e-env.js';
import { registerK8sConformanceSuite } from './k8s-conformance-suite.js';
import { registerK8sGatewaySuite } from './k8s-gateway-suite.js';

describe('Kubernetes cluster for e2e', () => {
  it('answers, and holds the supervisor runtime image built by packages/driver-k8s/scripts/build-runtime-image.sh', { timeout: 600_000 }, async () => {
    await requireK8sE2eEnvironment();
  });
});
registerK8sConformanceSuite();
registerK8sGatewaySuite();
