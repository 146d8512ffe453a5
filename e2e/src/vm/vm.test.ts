// Every VM e2e suite in one file, run one after another (scripts/test.sh runs engine files
// alone): each boots QEMU micro-VMs, which on 2 cores must not compete with another suite.
// QEMU and the prepared cache come from scripts/engines/vm.sh, which also packs the test
// image from the Docker engine (a create still asks the engine what the image is; while the
// engine restarts, the driver boots the disk it has cached). Without them every suite fails.
import { describe, it } from 'node:test';
import { registerVmConformanceSuite } from './vm-conformance-suite.js';
import { registerVmGatewaySuite } from './vm-gateway-suite.js';
import { requireVmEngine } from './vm-engine.js';
import { registerVmTlsSuite } from './vm-tls-suite.js';

describe('QEMU engine for VM e2e', () => {
  it('runs qemu-system-x86_64 with a prepared guest kernel (else: bash scripts/engines/vm.sh start)', async () => {
    await requireVmEngine();
  });
});
registerVmConformanceSuite();
registerVmGatewaySuite();
registerVmTlsSuite();
