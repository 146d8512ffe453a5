// Every VM e2e suite in one file, run one after another (scripts/test.sh runs engine files
// alone): each boots QEMU micro-VMs, which on 2 cores must not compete with another suite.
// QEMU and the prepared cache come from scripts/engines/vm.sh; the test image from
// scripts/engines/docker.sh. Without them every suite fails.
import { describe, it } from 'node:test';
import { requireDockerEngine } from '../docker/docker-engine.js';
import { registerVmConformanceSuite } from './vm-conformance-suite.js';
import { registerVmGatewaySuite } from './vm-gateway-suite.js';
import { requireVmEngine } from './vm-engine.js';

describe('QEMU engine for VM e2e', () => {
  it('runs qemu-system-x86_64 with a prepared guest kernel, and the test image is in Docker (else: bash scripts/engines/vm.sh start)', async () => {
    await requireVmEngine();
    await requireDockerEngine();
  });
});
registerVmConformanceSuite();
registerVmGatewaySuite();
