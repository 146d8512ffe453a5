// Every Docker e2e suite in one file, so node's runner runs them one after another: the
// dockerd restart must not pull the engine from under another suite (test.sh runs files two
// at a time). The engine comes from scripts/engines/docker.sh; without one, every suite fails.
import { describe, it } from 'node:test';
import { registerConformanceSuite } from '../container/conformance-suite.js';
import { registerDriverSuite } from '../container/driver-suite.js';
import { registerSupervisorSuite } from '../container/supervisor-suite.js';
import { registerSupervisorTlsSuite } from '../container/supervisor-tls-suite.js';
import { registerDockerBenchTerminationSuite } from './docker-bench-termination-suite.js';
import { DOCKER_ENGINE, requireDockerEngine } from './docker-engine.js';
import { registerDockerBareConfigSuite } from './docker-bare-config-suite.js';
import { registerDockerDocExamplesSuite } from './docker-doc-examples-suite.js';
import { registerDockerGatewaySuite } from './docker-gateway-suite.js';
import { registerDockerRestartSuite } from './docker-restart-suite.js';

describe('Docker engine for e2e', () => {
  it('answers `docker info` and has the test image (else: bash scripts/engines/docker.sh start)', async () => {
    await requireDockerEngine();
  });
});
// The suites Podman runs too (e2e/src/container), on Docker.
registerConformanceSuite(DOCKER_ENGINE);
registerDriverSuite(DOCKER_ENGINE);
registerDockerGatewaySuite();
registerSupervisorSuite(DOCKER_ENGINE);
registerSupervisorTlsSuite(DOCKER_ENGINE);
registerDockerBareConfigSuite();
registerDockerDocExamplesSuite();
registerDockerBenchTerminationSuite();
// Last: it restarts dockerd, which stops every container on the engine.
registerDockerRestartSuite();
