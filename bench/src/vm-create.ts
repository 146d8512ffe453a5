// Sandbox create on QEMU micro-VMs (issue 12): create → Ready through the real gateway and VM
// driver (supervisor session included), for the first boot of an image and warm (its base
// disk cached); beside it the floor, a bare QEMU boot of the same kernel and initramfs whose
// busybox /init prints a line and powers off; QEMU's RSS per idle sandbox; and four creates at
// once. Figures are printed with PASS/MISS, never asserted.
// Alone: node bench/dist/vm-create.js (needs scripts/engines/docker.sh and vm.sh start).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { addTerminationCleanup } from '@shellgate/driver-sdk/testing';

import { BENCH_IMAGE } from './bench-engine.js';
import { CLI_BIN } from './container-bench-gateway.js';
import { BenchGateway } from './gateway-process.js';
import { readPeakRssMb, readRssMb } from './process-rss.js';
import { elapsedMs, isMainModule, percentile, printTable, printVerdict, runBench } from './report.js';
import { run, runOrThrow } from './run-command.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VM_DRIVER_BIN = join(REPO_ROOT, 'packages', 'driver-vm', 'dist', 'main.js');
/** Where scripts/engines/vm.sh prepares the cache and keeps e2e and bench sockets. */
const VM_ENGINE_DIR = process.env.SHELLGATE_VM_ENGINE_DIR ?? '/tmp/shellgate-engines/vm';
const VM_CACHE_DIR = process.env.SHELLGATE_VM_CACHE_DIR ?? join(VM_ENGINE_DIR, 'cache');
const WARM_SAMPLES = 8;
const FIRST_BOOT_SAMPLES = 3;
const FLOOR_SAMPLES = 5;
const PARALLEL = 4;
const IDLE_MS = 3_000;
const COMMAND = ['sleep', '36000'];
/** Issue 12 targets. */
const WARM_TCG_TARGET_MS = 4_000;
const WARM_KVM_TARGET_MS = 1_000;
const FLOOR_RATIO_TARGET = 1.3;
const RSS_TARGET_MB = 160;
const PARALLEL_TARGET_MS = 8_000;
/** What our /init prints in probe mode (packages/driver-vm/guest/init.sh): the floor's workload. */
const FLOOR_MARKER = 'shellgate-init: probe ok';
/**
 * The baseline QEMU command: the driver's machine, CPU and kernel arguments for TCG
 * (packages/driver-vm/README.md), minus everything the driver adds: disks, network, QMP,
 * sandboxing and the supervisor.
 */
const FLOOR_KERNEL_ARGS = 'console=ttyS0 quiet panic=-1 pci=off cryptomgr.notests audit=0 lsm=lockdown,yama lockdown=confidentiality tsc=reliable no_timer_check tsc_early_khz=2000000 mitigations=off shellgate.probe=1';

interface PreparedKernel {
  readonly vmlinux: string;
  readonly initramfs: string;
}

/** The Debian kernel vm.sh prepared and the newest initramfs made for it (`<kernel id>-<hash>.cpio`). */
function findPreparedKernel(): PreparedKernel | undefined {
  try {
    const { id } = JSON.parse(readFileSync(join(VM_CACHE_DIR, 'kernels', 'debian.json'), 'utf8')) as { id: string };
    const initramfsDir = join(VM_CACHE_DIR, 'initramfs');
    const newest = readdirSync(initramfsDir).filter((name) => name.startsWith(`${id}-`) && name.endsWith('.cpio')).map((name) => join(initramfsDir, name))
      .sort((a, b) => statMtime(b) - statMtime(a))[0];
    return newest === undefined ? undefined : { vmlinux: join(VM_CACHE_DIR, 'kernels', id, 'vmlinux'), initramfs: newest };
  } catch {
    return undefined;
  }
}

function statMtime(path: string): number {
  return statSync(path).mtimeMs;
}

async function findMissingPrerequisite(): Promise<string | undefined> {
  if ((await run('qemu-system-x86_64', ['--version'], 20_000)).code !== 0) return 'skipped: no qemu-system-x86_64 (run scripts/engines/vm.sh start)';
  if (findPreparedKernel() === undefined) return `skipped: no guest kernel prepared in ${VM_CACHE_DIR} (run scripts/engines/vm.sh start)`;
  if ((await run('docker', ['image', 'inspect', BENCH_IMAGE], 20_000)).code !== 0) return `skipped: image ${BENCH_IMAGE} missing (run scripts/engines/docker.sh start)`;
  if (!existsSync(VM_DRIVER_BIN)) return `skipped: ${VM_DRIVER_BIN} is not built (pnpm run build)`;
  return undefined;
}

interface BareBoot {
  /** ms from spawning QEMU until its /init printed the marker. */
  readonly ms: number;
  /** QEMU's peak RSS by then (VmHWM), in MB; NaN when QEMU was gone before it was read. */
  readonly peakRssMb: number;
}

/** Spawns a bare QEMU whose /init prints the marker and powers off. */
function bootBare(kernel: PreparedKernel): Promise<BareBoot> {
  return new Promise((resolve, reject) => {
    const startNs = process.hrtime.bigint();
    const args = [
      '-machine', 'microvm,acpi=on', '-accel', 'tcg,thread=single', '-cpu', 'qemu64,tsc-frequency=2000000000', '-m', '512', '-smp', '1',
      '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot', '-serial', 'stdio',
      '-kernel', kernel.vmlinux, '-initrd', kernel.initramfs, '-append', FLOOR_KERNEL_ARGS,
    ];
    const qemu = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let marked: Promise<BareBoot> | undefined;
    qemu.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (marked !== undefined || !output.includes(FLOOR_MARKER)) return;
      const ms = elapsedMs(startNs);
      const peak = qemu.pid === undefined ? Promise.resolve(Number.NaN) : readPeakRssMb(qemu.pid).catch(() => Number.NaN);
      marked = peak.then((peakRssMb) => ({ ms, peakRssMb }));
    });
    const timer = setTimeout(() => qemu.kill('SIGKILL'), 60_000);
    qemu.on('error', reject);
    qemu.on('close', () => {
      clearTimeout(timer);
      if (marked === undefined) reject(new Error(`bare QEMU boot never printed "${FLOOR_MARKER}":\n${output.slice(-1000)}`));
      else resolve(marked);
    });
  });
}

/** Pids of the QEMU processes whose sockets live under `runDir`. */
function qemuPidsUnder(runDir: string): number[] {
  return readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).flatMap((entry) => {
    try {
      const isOurs = readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'qemu-system-x86' && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(`path=${runDir}/`);
      return isOurs ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

/** An image with a new id but the test image's content: its first sandbox must export and pack it. */
async function makeFreshImage(tag: string, label: string): Promise<string> {
  const container = await runOrThrow('docker', ['create', BENCH_IMAGE]);
  try {
    await runOrThrow('docker', ['commit', '--change', `LABEL shellgate.bench=${label}`, container, tag]);
    return await runOrThrow('docker', ['image', 'inspect', '--format', '{{.Id}}', tag]);
  } finally {
    await run('docker', ['rm', '-f', container]);
  }
}

class VmBenchRun {
  private next = 0;
  constructor(
    readonly id: string,
    readonly gateway: BenchGateway,
    readonly runDir: string,
  ) {}

  newName(): string {
    this.next += 1;
    return `v${this.id}-${this.next}`;
  }

  /** ms of `shellgate sandbox create NAME --image IMAGE --wait` (the whole CLI process). */
  async createWithImage(name: string, image: string, extra: readonly string[] = []): Promise<number> {
    const startNs = process.hrtime.bigint();
    await runOrThrow(process.execPath, [CLI_BIN, '--gateway', this.gateway.address, 'sandbox', 'create', name, '--image', image, ...extra, '--wait', '--timeout', '180s', ...COMMAND.flatMap((arg) => ['--cmd', arg])]);
    return elapsedMs(startNs);
  }

  async delete(names: readonly string[]): Promise<void> {
    if (names.length > 0) await runOrThrow(process.execPath, [CLI_BIN, '--gateway', this.gateway.address, 'sandbox', 'delete', ...names, '--wait', '--timeout', '120s']);
  }
}

interface VmFigures {
  readonly accelerator: string;
  readonly floorMs: number[];
  /** The floor's peak RSS per sample (MB): what QEMU holds with no disk, network or supervisor. */
  readonly floorPeakRssMb: number[];
  readonly warmMs: number[];
  /** Warm with `driver_config.vm.kernel = "small"`; empty when that kernel was never built. */
  readonly warmSmallKernelMs: number[];
  readonly firstBootMs: number[];
  readonly parallelMs: number[];
  readonly rssMb: number[];
}

async function measure(bench: VmBenchRun, kernel: PreparedKernel): Promise<Omit<VmFigures, 'accelerator'>> {
  const floorMs: number[] = [];
  const floorPeakRssMb: number[] = [];
  for (let sample = 0; sample < FLOOR_SAMPLES; sample++) {
    const boot = await bootBare(kernel);
    floorMs.push(boot.ms);
    floorPeakRssMb.push(boot.peakRssMb);
  }
  const warmMs: number[] = [];
  // One unmeasured create first: it builds the runtime disk and warms the page cache.
  for (let sample = -1; sample < WARM_SAMPLES; sample++) {
    const name = bench.newName();
    const ms = await bench.createWithImage(name, BENCH_IMAGE);
    if (sample >= 0) warmMs.push(ms);
    await bench.delete([name]);
  }
  const warmSmallKernelMs: number[] = [];
  if (existsSync(join(VM_CACHE_DIR, 'kernels', 'small.json'))) {
    for (let sample = -1; sample < WARM_SAMPLES; sample++) {
      const name = bench.newName();
      const ms = await bench.createWithImage(name, BENCH_IMAGE, ['--driver', 'vm', '--driver-config', '{"kernel":"small"}']);
      if (sample >= 0) warmSmallKernelMs.push(ms);
      await bench.delete([name]);
    }
  }
  const firstBootMs: number[] = [];
  for (let sample = 0; sample < FIRST_BOOT_SAMPLES; sample++) {
    const tag = `shellgate-bench/vm-first-boot:${bench.id}-${sample}`;
    const imageId = await makeFreshImage(tag, `${bench.id}-${sample}`);
    const name = bench.newName();
    try {
      firstBootMs.push(await bench.createWithImage(name, tag));
    } finally {
      await bench.delete([name]);
      await run('docker', ['rmi', '-f', tag]);
      // The driver caches base disks as <cache_dir>/images/<digest>.erofs; these were for this run only.
      rmSync(join(VM_CACHE_DIR, 'images', `${imageId.replace(/^sha256:/, '')}.erofs`), { force: true });
    }
  }
  const names = Array.from({ length: PARALLEL }, () => bench.newName());
  const parallelMs = await Promise.all(names.map((name) => bench.createWithImage(name, BENCH_IMAGE)));
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const rssMb = await Promise.all(qemuPidsUnder(bench.runDir).map((pid) => readRssMb(pid)));
  await bench.delete(names);
  return { floorMs, floorPeakRssMb, warmMs, warmSmallKernelMs, firstBootMs, parallelMs, rssMb };
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function report(figures: VmFigures): void {
  const row = (label: string, samples: readonly number[]): string[] => [label, String(samples.length), seconds(percentile(samples, 0.5)), seconds(percentile(samples, 0.9))];
  printTable(`VM sandbox create → Ready through the gateway: \`shellgate sandbox create --wait\`, the CLI process and the supervisor session included (${figures.accelerator})`, [
    ['measure', 'samples', 'p50', 'p90'],
    row('bare QEMU boot of the same kernel + initramfs to a busybox line (floor)', figures.floorMs),
    row('warm: image disk cached', figures.warmMs),
    ...(figures.warmSmallKernelMs.length === 0 ? [] : [row('warm, small kernel (prepare --kernel small)', figures.warmSmallKernelMs)]),
    row('first boot of an image (export + pack + boot)', figures.firstBootMs),
    row(`${PARALLEL} at once, each`, figures.parallelMs),
  ]);
  const maxRss = Math.max(...figures.rssMb);
  process.stdout.write(`  QEMU RSS per idle sandbox (${figures.rssMb.length} VMs, after ${IDLE_MS / 1000} s idle): ${figures.rssMb.map((mb) => `${mb.toFixed(0)} MB`).join(', ')}\n`);
  const floorPeaks = figures.floorPeakRssMb.filter((mb) => !Number.isNaN(mb));
  // The baseline for the RSS target: QEMU with only the kernel and a busybox /init, under the same accelerator.
  process.stdout.write(`  the floor's peak QEMU RSS (same kernel, no disk, network or supervisor): ${floorPeaks.length === 0 ? 'not read (QEMU ended first)' : `${Math.max(...floorPeaks).toFixed(0)} MB`}\n`);
  const isKvm = figures.accelerator.startsWith('kvm');
  const warm = percentile(figures.warmMs, 0.5);
  const warmTarget = isKvm ? WARM_KVM_TARGET_MS : WARM_TCG_TARGET_MS;
  const floorRatio = warm / percentile(figures.floorMs, 0.5);
  const slowestParallel = Math.max(...figures.parallelMs);
  printVerdict(`warm create → Ready p50 on ${isKvm ? 'KVM' : 'TCG'}`, seconds(warm), warm <= warmTarget, `≤ ${seconds(warmTarget)}`);
  if (figures.warmSmallKernelMs.length > 0) {
    const small = percentile(figures.warmSmallKernelMs, 0.5);
    printVerdict(`warm create → Ready p50 on ${isKvm ? 'KVM' : 'TCG'}, small kernel`, seconds(small), small <= warmTarget, `≤ ${seconds(warmTarget)}`);
  }
  printVerdict('warm create → Ready p50 vs the bare-boot floor', `${floorRatio.toFixed(2)}×`, floorRatio <= FLOOR_RATIO_TARGET, `≤ ${FLOOR_RATIO_TARGET}×`);
  printVerdict('QEMU RSS per idle sandbox, the largest', `${maxRss.toFixed(0)} MB`, maxRss <= RSS_TARGET_MB, `≤ ${RSS_TARGET_MB} MB`);
  printVerdict(`${PARALLEL} VMs in parallel, the slowest to Ready`, seconds(slowestParallel), slowestParallel <= PARALLEL_TARGET_MS, `each ≤ ${seconds(PARALLEL_TARGET_MS)}`);
}

/** Runs the VM create benchmark, or prints why it is skipped. */
export async function runVmCreateBench(): Promise<void> {
  const missing = await findMissingPrerequisite();
  const kernel = findPreparedKernel();
  if (missing !== undefined || kernel === undefined) {
    process.stdout.write(`\nVM create benchmark\n  ${missing ?? 'skipped: no kernel'}\n`);
    return;
  }
  const id = Math.random().toString(16).slice(2, 8);
  const runDir = join(VM_ENGINE_DIR, 'run', `bench-${id}`);
  mkdirSync(runDir, { recursive: true, mode: 0o711 });
  process.stdout.write(`\nVM create benchmark: run ${id}, VM sockets under ${runDir} (scripts/engines/vm.sh sweep bench-${id} removes a killed run's VMs)\n`);
  const gateway = await BenchGateway.start({
    readyTimeoutMs: 60_000,
    stopGraceMs: 60_000,
    driverTable: (stateDir) => [
      '[drivers.vm]',
      `command = [${JSON.stringify(process.execPath)}, ${JSON.stringify(VM_DRIVER_BIN)}]`,
      `default_image = ${JSON.stringify(BENCH_IMAGE)}`,
      `state_dir = ${JSON.stringify(join(stateDir, 'driver-vm'))}`,
      `cache_dir = ${JSON.stringify(VM_CACHE_DIR)}`,
      `run_dir = ${JSON.stringify(runDir)}`,
      'stop_timeout_seconds = 1',
    ],
  });
  const cleanup = addTerminationCleanup(async () => {
    await gateway.stop();
    for (const pid of qemuPidsUnder(runDir)) process.kill(pid, 'SIGKILL');
    rmSync(runDir, { recursive: true, force: true });
  });
  try {
    const info = await runOrThrow(process.execPath, [CLI_BIN, '--gateway', gateway.address, 'gateway', 'info', '-o', 'json']);
    const accelerator = /"driverVersion":\s*"[^"(]*\(([^"]*)\)"/.exec(info)?.[1] ?? 'accelerator unknown';
    const figures = await measure(new VmBenchRun(id, gateway, runDir), kernel);
    report({ accelerator, ...figures });
  } finally {
    await cleanup.run();
  }
}

if (isMainModule(import.meta.url)) {
  await runBench('vm create benchmark', runVmCreateBench);
}
