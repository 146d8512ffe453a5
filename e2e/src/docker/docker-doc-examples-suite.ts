// The documented command lines that need a sandbox's supervisor (exec, connect, logs,
// create -- CMD) or the Docker driver itself (driver_config, a gateway.toml with
// [drivers.docker]), run as written on a real engine (issue 9, item 4). The rest run
// against the fake driver in e2e/src/docs/doc-examples.test.ts, which also fails on any
// documented line that no test runs without a stated reason.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../harness/api-client.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { DOCKER_DRIVER_BIN } from '../harness/paths.js';
import { readTomlBlock } from '../docs/doc-examples.js';
import { planDocExamples } from '../docs/example-plan.js';
import { ExampleShell, prepareGateway, runExample, runGatewayExample, type ExampleGateway } from '../docs/example-runner.js';
import { containersWithLabel, docker, requireDockerEngine } from './docker-engine.js';
import { defaultDriverConfig, e2eObjectName, removeNetwork, toTomlLines, type DriverConfigValue } from './docker-driver-process.js';
import { GATEWAY_ID_LABEL } from './e2e-run.js';
import { buildSupervisorRuntime } from './supervisor-runtime.js';

export function registerDockerDocExamplesSuite(): void {
  describe('docs: examples that need a supervisor or the Docker driver, on a real engine', () => {
    const planned = planDocExamples();
    const shell = ExampleShell.create();
    let gateway: GatewayProcess;
    let target: ExampleGateway;
    let networkName = '';
    let gatewayId = '';

    before(async () => {
      await requireDockerEngine();
      const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-docs-'));
      const driverConfig: Record<string, DriverConfigValue> = { ...defaultDriverConfig('docs', join(stateDir, 'docker-driver')), inject_supervisor: true, supervisor_runtime_dir: buildSupervisorRuntime(join(stateDir, 'runtime')) };
      networkName = String(driverConfig.network_name);
      const configToml = ['[drivers.docker]', `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(DOCKER_DRIVER_BIN)}]`, ...toTomlLines(driverConfig)].join('\n');
      gateway = await GatewayProcess.start({ stateDir, configToml, readyTimeoutMs: 30_000 });
      target = { address: gateway.address, api: new ApiClient(gateway.address), readyTimeoutMs: 90_000 };
      const ready = gateway.entries((entry) => entry.message === 'gateway ready')[0];
      gatewayId = typeof ready?.gatewayId === 'string' ? ready.gatewayId : '';
    });

    after(async () => {
      shell.remove();
      if (gateway === undefined) return;
      for (const sandbox of await target.api.list().catch(() => [])) await target.api.delete(sandbox.metadata!.name).catch(() => false);
      target.api.close();
      await gateway.stop();
      const leftovers = gatewayId === '' ? [] : await containersWithLabel(GATEWAY_ID_LABEL, gatewayId);
      if (leftovers.length > 0) await docker(['rm', '-f', '-v', ...leftovers]);
      await removeNetwork(networkName);
      gateway.removeState();
    });

    for (const { example, plan } of planned) {
      if (plan.kind === 'cli' && plan.target === 'docker') {
        it(example.text, { timeout: 300_000 }, async () => {
          await prepareGateway(target, plan.setup);
          await runExample(example, plan.interaction, shell, plan.cwd, target.address);
        });
      } else if (plan.kind === 'gateway-server') {
        it(example.text, { timeout: 120_000 }, async () => {
          const page = example.sources[0]!.replace(/:\d+$/, '');
          const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-docs-gw-'));
          const readmeNetwork = e2eObjectName('docs-readme');
          try {
            await runGatewayExample(example, plan.configFile, readTomlBlock(page), shell, {
              SHELLGATE_LISTEN: '127.0.0.1:0',
              SHELLGATE_STATE_DIR: join(stateDir, 'gateway'),
              SHELLGATE_DOCKER_NETWORK: readmeNetwork,
              SHELLGATE_DOCKER_STATE_DIR: join(stateDir, 'docker-driver'),
            });
          } finally {
            await removeNetwork(readmeNetwork);
          }
        });
      }
    }
  });
}
