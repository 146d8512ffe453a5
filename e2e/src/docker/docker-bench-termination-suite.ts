// `pnpm bench` stopped with SIGTERM mid-run once left its gateway running, still creating
// containers nobody deleted (issue 9). The Docker create benchmark is started for real and
// stopped as soon as its first sandbox container exists: it must exit 143 with no gateway,
// no driver and no container or network of its run left.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { addTerminationCleanup } from '@shellgate/driver-sdk/testing';
import { findChildProcesses } from '../harness/fake-driver-config.js';
import { REPO_ROOT, docker, requireDockerEngine, runCommand } from './docker-engine.js';
import { isRunning, removeNetworkAndContainers } from './docker-driver-process.js';

const BENCH = join(REPO_ROOT, 'bench', 'dist', 'docker-create.js');
/** The line the benchmark prints first: its run id, network and label. */
const RUN_LINE = /run (\w+), sandboxes on network (\S+), baseline containers labelled (\S+)/;
const STEP_TIMEOUT_MS = 30_000;

async function waitUntil<T>(what: string, output: () => string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${STEP_TIMEOUT_MS} ms; the benchmark printed:\n${output()}`);
    await sleep(100);
  }
}

async function containersOf(networkName: string, runLabel: string): Promise<string[]> {
  const onNetwork = await docker(['ps', '-aq', '--filter', `network=${networkName}`]);
  const labelled = await docker(['ps', '-aq', '--filter', `label=${runLabel}`]);
  return [...new Set(`${onNetwork}\n${labelled}`.split('\n').filter((id) => id !== ''))];
}

/** The bench's gateway and the gateway's driver, alive or not, pids only. */
async function descendantsOf(pid: number): Promise<number[]> {
  const children = await findChildProcesses(pid);
  return [...children, ...(await Promise.all(children.map(findChildProcesses))).flat()];
}

export function registerDockerBenchTerminationSuite(): void {
  describe('a Docker benchmark stopped with SIGTERM mid-run', () => {
    it('exits 143 and leaves no gateway, no driver, no container and no network of its run', { timeout: 90_000 }, async () => {
      await requireDockerEngine();
      const bench = spawn(process.execPath, [BENCH], { stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      bench.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      bench.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      bench.once('exit', (code, signal) => (exit = { code, signal }));
      const killBench = addTerminationCleanup(() => void bench.kill('SIGKILL'));
      let run: { networkName: string; runLabel: string } | undefined;
      try {
        const match = await waitUntil('run line', () => output, () => RUN_LINE.exec(output) ?? undefined);
        run = { networkName: match[2]!, runLabel: match[3]! };
        const { networkName, runLabel } = run;
        await waitUntil('sandbox container', () => output, async () => ((await containersOf(networkName, runLabel)).length > 0 ? true : undefined));
        const processes = await descendantsOf(bench.pid!);
        assert.ok(processes.length >= 2, `the benchmark runs a gateway and its driver (pids ${processes.join(', ')})`);

        bench.kill('SIGTERM');
        const { code, signal } = await waitUntil('exit after SIGTERM', () => output, () => exit);
        assert.deepEqual([code, signal], [143, null], `the benchmark exits 143 after its cleanup, not killed by the signal:\n${output}`);
        assert.match(output, /SIGTERM: stopping what this process started/);
        assert.deepEqual(processes.filter(isRunning), [], 'the gateway and its driver were stopped');
        assert.deepEqual(await containersOf(networkName, runLabel), [], 'every container of the run was removed');
        const network = await runCommand('docker', ['network', 'inspect', networkName]);
        assert.notEqual(network.code, 0, `the network ${networkName} was removed`);
      } finally {
        await killBench.run();
        if (run !== undefined) {
          for (const id of await containersOf(run.networkName, run.runLabel)) await docker(['rm', '-f', '-v', id]).catch(() => undefined);
          await removeNetworkAndContainers(run.networkName).catch(() => undefined);
        }
      }
    });
  });
}
