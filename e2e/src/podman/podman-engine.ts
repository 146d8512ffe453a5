// The real Podman service, seen through the `podman` CLI exactly as an operator would see it,
// and described for the shared suites (e2e/src/container). Tests fail (never skip) when no
// service answers: a skipped suite fails the run (STYLE.md rule 20).
import { join } from 'node:path';
import { TEST_IMAGE } from '../container/e2e-driver-config.js';
import type { ContainerInspect, EngineUnderTest } from '../container/engine-under-test.js';
import { PODMAN_DRIVER_BIN, REPO_ROOT } from '../harness/paths.js';
import { runCommand } from '../harness/run-command.js';
import type { CommandResult } from '../harness/run-command.js';

export const PODMAN_ENGINE_SCRIPT = join(REPO_ROOT, 'scripts', 'engines', 'podman.sh');
/** The API service socket `podman.sh start` serves, which the driver finds as the rootful one. */
export const PODMAN_SOCKET = '/run/podman/podman.sock';

const START_HINT = 'run `bash scripts/engines/podman.sh start` (scripts/test.sh does this before the tests)';

/** `podman ARGS`; rejects with the command and its stderr when it fails. */
export async function podman(args: readonly string[], timeoutMs = 60_000): Promise<string> {
  const result = await runCommand('podman', args, timeoutMs);
  if (result.code !== 0) throw new Error(`podman ${args.join(' ')} exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** Throws (so the suite fails) unless the Podman API service answers /_ping and the test image exists. */
export async function requirePodmanEngine(): Promise<void> {
  const ping = await runCommand('curl', ['-s', '--max-time', '10', '--unix-socket', PODMAN_SOCKET, 'http://d/_ping'], 20_000);
  if (ping.stdout.trim() !== 'OK') throw new Error(`no Podman API service answers on ${PODMAN_SOCKET} (${ping.stderr.trim() || ping.stdout.trim()}): ${START_HINT}`);
  const image = await runCommand('podman', ['image', 'exists', TEST_IMAGE], 20_000);
  if (image.code !== 0) throw new Error(`the test image ${TEST_IMAGE} is missing from Podman: ${START_HINT}`);
}

export async function inspectPodmanContainer(idOrName: string): Promise<ContainerInspect> {
  const parsed = JSON.parse(await podman(['container', 'inspect', idOrName])) as ContainerInspect[];
  if (parsed[0] === undefined) throw new Error(`podman inspect ${idOrName} returned nothing`);
  return parsed[0];
}

/** Full ids of containers (any state) carrying `key=value`. */
export async function podmanContainersWithLabel(key: string, value: string): Promise<string[]> {
  const out = await podman(['ps', '-aq', '--no-trunc', '--filter', `label=${key}=${value}`]);
  return out === '' ? [] : out.split('\n');
}

/** Removes an e2e network and the anchor pod the driver keeps its bridge up with; its sandboxes must be gone. Missing is fine. */
export async function removePodmanNetwork(networkName: string): Promise<void> {
  await runCommand('podman', ['pod', 'rm', '-f', `${networkName}-anchor`]);
  const result = await runCommand('podman', ['network', 'rm', networkName]);
  if (result.code !== 0 && !/network not found|unable to find network/i.test(result.stderr)) {
    throw new Error(`podman network rm ${networkName} exited ${result.code}: ${result.stderr.trim()}`);
  }
}

/** Removes every container on an e2e network, then the network. */
export async function removePodmanNetworkAndContainers(networkName: string): Promise<void> {
  const ids = (await podman(['ps', '-aq', '--no-trunc', '--filter', `network=${networkName}`]).catch(() => '')).split('\n').filter((id) => id !== '');
  if (ids.length > 0) await podman(['rm', '-f', '-v', ...ids]);
  await removePodmanNetwork(networkName);
}

/** Runs `scripts/engines/podman.sh SUBCOMMAND`; rejects with its output when it fails. */
export async function runPodmanEngineScript(subcommand: string, ...args: string[]): Promise<string> {
  const result: CommandResult = await runCommand('bash', [PODMAN_ENGINE_SCRIPT, subcommand, ...args], 180_000);
  if (result.code !== 0) throw new Error(`podman.sh ${subcommand} exited ${result.code}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

/** Podman as the shared suites see it. */
export const PODMAN_ENGINE: EngineUnderTest = {
  name: 'podman',
  displayName: 'Podman',
  cli: 'podman',
  driverBin: PODMAN_DRIVER_BIN,
  claimsFile: join(REPO_ROOT, 'e2e', 'src', 'podman', 'podman-claims.toml'),
  initProcessName: 'podman-init',
  require: requirePodmanEngine,
  run: podman,
  runResult: (args, timeoutMs) => runCommand('podman', args, timeoutMs),
  inspect: inspectPodmanContainer,
  containersWithLabel: podmanContainersWithLabel,
  removeNetworkAndContainers: removePodmanNetworkAndContainers,
  removeNetwork: removePodmanNetwork,
  driverConfig: { podman_socket: `unix://${PODMAN_SOCKET}` },
};
