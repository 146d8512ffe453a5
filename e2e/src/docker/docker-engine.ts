// The real Docker engine, seen through the `docker` CLI exactly as an operator would see it.
// Tests fail (never skip) when no engine answers: a skipped suite fails the run (STYLE.md 20).
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The sandbox image `scripts/engines/docker.sh start` builds from a static busybox. */
export const TEST_IMAGE = 'shellgate-test/busybox:1';
/** Repo root, from e2e/dist/docker/. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const DOCKER_ENGINE_SCRIPT = join(REPO_ROOT, 'scripts', 'engines', 'docker.sh');

const START_HINT = 'run `bash scripts/engines/docker.sh start` (scripts/test.sh does this before the tests)';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion; never rejects for a non-zero exit. */
export function runCommand(file: string, args: readonly string[], timeoutMs = 60_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr: error !== null && stderr === '' ? error.message : stderr });
    });
  });
}

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

/** What `docker inspect` says about one container (the fields the tests read). */
export interface ContainerInspect {
  readonly Id: string;
  readonly Name: string;
  readonly State: { readonly Status: string; readonly Running: boolean; readonly ExitCode: number };
  readonly Config: { readonly Env: string[] | null; readonly Labels: Record<string, string> | null; readonly Image: string; readonly Cmd: string[] | null };
  readonly HostConfig: { readonly NanoCpus: number; readonly Memory: number; readonly PidsLimit: number | null; readonly RestartPolicy: { readonly Name: string } };
  readonly Mounts: readonly { readonly Type: string; readonly Source: string; readonly Destination: string; readonly RW: boolean }[];
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
