// The real Docker engine, seen through the `docker` CLI exactly as an operator would see it.
// Tests fail (never skip) when no engine answers: a skipped suite fails the run (STYLE.md 20).
import { join } from 'node:path';
import { TEST_IMAGE } from '../container/e2e-driver-config.js';
import type { ContainerInspect, EngineUnderTest } from '../container/engine-under-test.js';
import { DOCKER_DRIVER_BIN, REPO_ROOT } from '../harness/paths.js';
import { runCommand } from '../harness/run-command.js';

export { TEST_IMAGE } from '../container/e2e-driver-config.js';
export { REPO_ROOT } from '../harness/paths.js';
export { runCommand } from '../harness/run-command.js';
export type { CommandResult } from '../harness/run-command.js';
export type { ContainerInspect } from '../container/engine-under-test.js';

export const DOCKER_ENGINE_SCRIPT = join(REPO_ROOT, 'scripts', 'engines', 'docker.sh');

const START_HINT = 'run `bash scripts/engines/docker.sh start` (scripts/test.sh does this before the tests)';

/** `docker ARGS`; rejects with the command and its stderr when it fails. */
export async function docker(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const result = await runCommand('docker', args, timeoutMs);
  if (result.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** Throws (so the suite fails) unless a Docker engine answers and the test image exists. */
export async function requireDockerEngine(): Promise<void> {
  const info = await runCommand('docker', ['info', '--format', '{{.ServerVersion}}'], 20_000);
  if (info.code !== 0 || info.stdout.trim() === '') {
    throw new Error(`no Docker engine answers \`docker info\` (${info.stderr.trim()}): ${START_HINT}`);
  }
  const image = await runCommand('docker', ['image', 'inspect', '--format', '{{.Id}}', TEST_IMAGE], 20_000);
  if (image.code !== 0) throw new Error(`the test image ${TEST_IMAGE} is missing: ${START_HINT}`);
}

export async function inspectContainer(idOrName: string): Promise<ContainerInspect> {
  const parsed = JSON.parse(await docker(['inspect', '--type', 'container', idOrName])) as ContainerInspect[];
  if (parsed[0] === undefined) throw new Error(`docker inspect ${idOrName} returned nothing`);
  return parsed[0];
}

/** Full ids of containers (any state) carrying `key=value`. */
export async function containersWithLabel(key: string, value: string): Promise<string[]> {
  const out = await docker(['ps', '-aq', '--no-trunc', '--filter', `label=${key}=${value}`]);
  return out === '' ? [] : out.split('\n');
}

/** Runs `scripts/engines/docker.sh SUBCOMMAND`; rejects with its output when it fails. */
export async function runEngineScript(subcommand: string, ...args: string[]): Promise<string> {
  const result = await runCommand('bash', [DOCKER_ENGINE_SCRIPT, subcommand, ...args], 180_000);
  if (result.code !== 0) throw new Error(`docker.sh ${subcommand} exited ${result.code}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** Removes every container on an e2e network, then the network; for cleanups that cannot wait for the driver. */
export async function removeNetworkAndContainers(networkName: string): Promise<void> {
  const ids = (await docker(['ps', '-aq', '--no-trunc', '--filter', `network=${networkName}`])).split('\n').filter((id) => id !== '');
  if (ids.length > 0) await docker(['rm', '-f', '-v', ...ids]);
  await removeNetwork(networkName);
}

/** Removes an e2e network; its containers must be gone. Missing is fine. */
export async function removeNetwork(networkName: string): Promise<void> {
  const result = await runCommand('docker', ['network', 'rm', networkName]);
  if (result.code !== 0 && !/not found|No such network/i.test(result.stderr)) {
    throw new Error(`docker network rm ${networkName} exited ${result.code}: ${result.stderr.trim()}`);
  }
}

/** Docker as the shared suites see it. */
export const DOCKER_ENGINE: EngineUnderTest = {
  name: 'docker',
  displayName: 'Docker',
  cli: 'docker',
  driverBin: DOCKER_DRIVER_BIN,
  claimsFile: join(REPO_ROOT, 'e2e', 'src', 'docker', 'docker-claims.toml'),
  initProcessName: 'docker-init',
  require: requireDockerEngine,
  run: docker,
  runResult: (args, timeoutMs) => runCommand('docker', args, timeoutMs),
  inspect: inspectContainer,
  containersWithLabel,
  removeNetworkAndContainers,
  removeNetwork,
  driverConfig: {},
};
