// Every Docker e2e suite in one file, so node's runner runs them one after another: the
// dockerd restart must not pull the engine from under another suite (test.sh runs files two
// at a time). The engine comes from scripts/engines/docker.sh; without one, every suite fails.
import { describe, it } from 'node:test';
import { registerDockerBenchTerminationSuite } from './docker-bench-termination-suite.js';
import { requireDockerEngine } from './docker-engine.js';
import { registerDockerBareConfigSuite } from './docker-bare-config-suite.js';
import { registerDockerConformanceSuite } from './docker-conformance-suite.js';
import { registerDockerDocExamplesSuite } from './docker-doc-examples-suite.js';
import { registerDockerDriverSuite } from './docker-driver-suite.js';
import { registerDockerGatewaySuite } from './docker-gateway-suite.js';
import { registerDockerRestartSuite } from './docker-restart-suite.js';
import { registerDockerSupervisorSuite } from './docker-supervisor-suite.js';

describe('Docker engine for e2e', () => {
  it('answers `docker info` and has the test image (else: bash scripts/engines/docker.sh start)', async () => {
    await requireDockerEngine();
  });
});
registerDockerConformanceSuite();
registerDockerDriverSuite();
registerDockerGatewaySuite();
registerDockerSupervisorSuite();
registerDockerBareConfigSuite();
registerDockerDocExamplesSuite();
registerDockerBenchTerminationSuite();
// Last: it restarts dockerd, which stops every container on the engine.
registerDockerRestartSuite();
