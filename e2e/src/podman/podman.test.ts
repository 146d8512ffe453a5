// Every Podman e2e suite in one file, run one after another: the service restart must not
// pull the engine from under another suite (test.sh runs engine files one at a time). The
// engine comes from scripts/engines/podman.sh; without one, every suite fails. The suites in
// e2e/src/container are Docker's too.
import { describe, it } from 'node:test';
import { registerConformanceSuite } from '../container/conformance-suite.js';
import { registerDriverSuite } from '../container/driver-suite.js';
import { registerSupervisorSuite } from '../container/supervisor-suite.js';
import { registerSupervisorTlsSuite } from '../container/supervisor-tls-suite.js';
import { PODMAN_ENGINE, requirePodmanEngine } from './podman-engine.js';
import { registerPodmanHardeningSuite } from './podman-hardening-suite.js';
import { registerPodmanRestartSuite } from './podman-restart-suite.js';

describe('Podman engine for e2e', () => {
  it('answers /_ping on its socket and has the test image (else: bash scripts/engines/podman.sh start)', async () => {
    await requirePodmanEngine();
  });
});
registerConformanceSuite(PODMAN_ENGINE);
registerDriverSuite(PODMAN_ENGINE);
registerSupervisorSuite(PODMAN_ENGINE);
registerSupervisorTlsSuite(PODMAN_ENGINE);
registerPodmanHardeningSuite();
// Last: it restarts the Podman service.
registerPodmanRestartSuite();
