// The real gateway spawning an engine's driver, as the container suites start it and take it
// down again.
import { addTerminationCleanup } from '@shellgate/driver-sdk/testing';
import type { TerminationCleanupHandle } from '@shellgate/driver-sdk/testing';
import { GatewayProcess } from '../harness/gateway-process.js';
import { GATEWAY_ID_LABEL } from '../docker/e2e-run.js';
import { toTomlLines, type DriverConfigValue } from './e2e-driver-config.js';
import type { EngineUnderTest } from './engine-under-test.js';

export interface EngineGateway {
  readonly gateway: GatewayProcess;
  /** The id the gateway logged: its driver labels every container with it. */
  readonly gatewayId: string;
  readonly networkName: string;
  readonly cleanup: TerminationCleanupHandle;
}

/**
 * Starts the gateway with `settings` (top-level gateway.toml lines) and `[drivers.<engine>]`
 * spawning the engine's driver with `driverConfig`. Stopped mid-suite (SIGTERM at the file's
 * time bound, Ctrl-C), no after() runs: the termination cleanup stops the gateway, then removes
 * the containers on the driver's network.
 */
export async function startEngineGateway(
  engine: EngineUnderTest,
  stateDir: string,
  settings: readonly string[],
  driverConfig: Readonly<Record<string, DriverConfigValue>>,
): Promise<EngineGateway> {
  const configToml = [
    ...settings,
    `[drivers.${engine.name}]`,
    `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(engine.driverBin)}]`,
    ...toTomlLines(driverConfig),
  ].join('\n');
  const gateway = await GatewayProcess.start({ stateDir, configToml, readyTimeoutMs: 30_000 });
  const networkName = String(driverConfig.network_name);
  const cleanup = addTerminationCleanup(async () => {
    await gateway.stop();
    await engine.removeNetworkAndContainers(networkName);
  });
  const ready = gateway.entries((entry) => entry.message === 'gateway ready')[0];
  return { gateway, gatewayId: typeof ready?.gatewayId === 'string' ? ready.gatewayId : '', networkName, cleanup };
}

/** Stops the gateway, removes any container its driver left and the network; returns those leftovers. */
export async function stopEngineGateway(engine: EngineUnderTest, started: EngineGateway): Promise<string[]> {
  started.cleanup.forget();
  await started.gateway.stop();
  const leftovers = started.gatewayId === '' ? [] : await engine.containersWithLabel(GATEWAY_ID_LABEL, started.gatewayId);
  if (leftovers.length > 0) await engine.run(['rm', '-f', '-v', ...leftovers]);
  await engine.removeNetwork(started.networkName);
  started.gateway.removeState();
  return leftovers;
}
