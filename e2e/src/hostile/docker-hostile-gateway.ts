// A real gateway spawning the real Docker driver, for the hostile-sandbox attacks on Docker:
// what an operator runs, with the run's names and labels so everything left is swept.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiClient } from '../harness/api-client.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { DOCKER_DRIVER_BIN } from '../harness/paths.js';
import { runCli } from '../harness/run-cli.js';
import type { CliResult } from '../harness/run-cli.js';
import { containersWithLabel, docker, runCommand } from '../docker/docker-engine.js';
import type { CommandResult } from '../docker/docker-engine.js';
import { defaultDriverConfig, removeNetwork, toTomlLines } from '../docker/docker-driver-process.js';
import type { DriverConfigValue } from '../docker/docker-driver-process.js';
import { GATEWAY_ID_LABEL, SANDBOX_ID_LABEL } from '../docker/e2e-run.js';

/** The gateway's state dir, the driver's (`<state>/docker-driver`) and its `[drivers.docker]` table. */
export interface DockerGatewayLayout {
  readonly stateDir: string;
  readonly driverStateDir: string;
  readonly driverConfig: Readonly<Record<string, DriverConfigValue>>;
  readonly configToml: string;
}

/**
 * Where a gateway for `label` keeps its state and how it runs the driver: the e2e defaults
 * (local test image, no pulls, a network named after the run, no supervisor unless
 * `overrides` injects one), and `requires_supervisor = false` so backend Ready counts.
 */
export function toDockerGatewayLayout(label: string, overrides: Readonly<Record<string, DriverConfigValue>> = {}): DockerGatewayLayout {
  const stateDir = mkdtempSync(join(tmpdir(), `sg-e2e-${label}-`));
  const driverStateDir = join(stateDir, 'docker-driver');
  const driverConfig = { ...defaultDriverConfig(label, driverStateDir), ...overrides };
  const configToml = [
    '[drivers.docker]',
    `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(DOCKER_DRIVER_BIN)}]`,
    'requires_supervisor = false',
    ...toTomlLines(driverConfig),
  ].join('\n');
  return { stateDir, driverStateDir, driverConfig, configToml };
}

/** A started gateway with the Docker driver, and the ways the attacks reach it. */
export class DockerHostileGateway {
  private constructor(
    readonly gateway: GatewayProcess,
    readonly api: ApiClient,
    readonly layout: DockerGatewayLayout,
    readonly gatewayId: string,
  ) {}

  get networkName(): string {
    return String(this.layout.driverConfig.network_name);
  }

  static async start(layout: DockerGatewayLayout): Promise<DockerHostileGateway> {
    const gateway = await GatewayProcess.start({ stateDir: layout.stateDir, configToml: layout.configToml, readyTimeoutMs: 30_000 });
    const ready = gateway.entries((entry) => entry.message === 'gateway ready')[0];
    const gatewayId = typeof ready?.gatewayId === 'string' ? ready.gatewayId : '';
    assert.notEqual(gatewayId, '', 'the gateway logs its id');
    return new DockerHostileGateway(gateway, new ApiClient(gateway.address), layout, gatewayId);
  }

  /** The `shellgate` CLI against this gateway. */
  cli(args: readonly string[], timeoutMs = 120_000): Promise<CliResult> {
    return runCli(['--gateway', this.gateway.address, ...args], {}, timeoutMs);
  }

  /** Every container this gateway's driver made (any state). */
  containers(): Promise<string[]> {
    return containersWithLabel(GATEWAY_ID_LABEL, this.gatewayId);
  }

  /** The one container of a sandbox. */
  async containerOf(sandboxId: string): Promise<string> {
    const [containerId, ...others] = await containersWithLabel(SANDBOX_ID_LABEL, sandboxId);
    assert.ok(containerId !== undefined && others.length === 0, `one container for sandbox ${sandboxId}`);
    return containerId;
  }

  /** Deletes every sandbox, stops the gateway, removes what the driver left, the network and the state. */
  async close(): Promise<void> {
    for (const sandbox of await this.api.list().catch(() => [])) await this.api.delete(sandbox.metadata!.name).catch(() => false);
    this.api.close();
    await this.gateway.stop();
    const leftovers = await this.containers();
    if (leftovers.length > 0) await docker(['rm', '-f', '-v', ...leftovers]);
    await removeNetwork(this.networkName);
    this.gateway.removeState();
    assert.deepEqual(leftovers, [], 'deleting every sandbox removed every container');
  }
}

/** `sh -c SCRIPT` inside a running container, as an agent in it would run it. */
export function execInContainer(containerId: string, script: string, timeoutMs = 30_000): Promise<CommandResult> {
  return runCommand('docker', ['exec', containerId, 'sh', '-c', script], timeoutMs);
}
