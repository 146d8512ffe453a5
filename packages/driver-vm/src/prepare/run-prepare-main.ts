import { homedir } from 'node:os';

import { ErrorCode, createLogger, formatConfigHelp, isShellgateError, loadConfig, parseConfigArgs } from '@shellgate/driver-sdk';

import { vmDriverConfig } from '../config.js';
import { assembleVmDriver } from '../create-vm-driver.js';
import { DRIVER_VERSION } from '../version.js';
import { prepareVmAssets } from './prepare-vm-assets.js';

const NAME = 'shellgate-driver-vm prepare';
const EXIT_USAGE = 2;
const EXIT_FAILURE = 1;

/** `prepare --help`: what it does, its own flags, then every driver setting (it reads the same config). */
export function formatPrepareHelp(): string {
  return [
    `${NAME} (shellgate-driver-vm ${DRIVER_VERSION}): makes the VM driver's first boot fast and offline.`,
    '',
    'Usage:',
    `  ${NAME} [--config FILE] [--kernel debian|small] [--image REF]... [--refresh] [setting flags]`,
    '',
    'Prepares, into the cache dir (STATE_DIR/cache unless cache_dir is set), each cached by content hash:',
    '  - the guest kernel: kernel = debian downloads kernel_package with apt-get (or unpacks kernel_deb) and',
    '    decompresses it to a vmlinux; kernel = small compiles one from Debian\'s linux-source (minutes)',
    '  - the initramfs with our /init, the supervisor runtime disk, and the accelerator verdict (a KVM probe boot)',
    '  - a base disk per --image, so the first sandbox of that image boots warm',
    'The driver does the same lazily on first use (except compiling the small kernel). Run it again at any',
    'time: what is cached is kept.',
    '',
    'Options:',
    '  --config FILE   the driver\'s TOML config (the same file the gateway passes it)',
    '  --image REF     also pack this image (repeatable)',
    '  --refresh       download the Debian kernel package again even when one is prepared',
    '  --help          show this help and exit',
    '',
    'Progress goes to stderr; the summary to stdout. Exit 0 when everything is ready.',
    '',
    '',
  ].join('\n') + formatConfigHelp(vmDriverConfig);
}

/** The `shellgate-driver-vm prepare` command. */
export async function runPrepareMain(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(formatPrepareHelp());
    return;
  }
  const isRefresh = argv.includes('--refresh');
  let config;
  let images: readonly string[];
  try {
    const args = parseConfigArgs(argv.filter((arg) => arg !== '--refresh'), vmDriverConfig, { '--config': {}, '--image': { isRepeatable: true } });
    images = args.values.get('--image') ?? [];
    config = await loadConfig(vmDriverConfig, { configFile: args.values.get('--config')?.[0], env, flags: args.flags });
  } catch (error) {
    if (!isShellgateError(error)) throw error;
    process.stderr.write(`${NAME}: ${error.message}\n${error.hint === undefined ? '' : `hint: ${error.hint}\n`}`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  const logger = createLogger({ level: 'warn', name: 'shellgate-driver-vm' });
  const report = (message: string): void => void process.stderr.write(`prepare: ${message}\n`);
  try {
    const parts = await assembleVmDriver(config, logger, { env, uid: process.getuid?.() ?? -1, homeDir: homedir() });
    const summary = await prepareVmAssets(parts, { images, isRefresh, env }, report, logger);
    process.stdout.write(
      [
        `kernel       ${summary.kernelId}`,
        `vmlinux      ${summary.vmlinuxPath}`,
        `initramfs    ${summary.initramfsPath}`,
        `runtime disk ${summary.runtimeDisk ?? 'none (inject_supervisor = false)'}`,
        `accelerator  ${summary.accelerator}`,
        ...summary.images.map((image) => `image        ${image.reference} → ${image.path}`),
        '',
      ].join('\n'),
    );
  } catch (error) {
    process.stderr.write(`${NAME}: failed: ${(error as Error).message}\n${isShellgateError(error) && error.hint !== undefined ? `hint: ${error.hint}\n` : ''}`);
    process.exitCode = isShellgateError(error) && error.code === ErrorCode.InvalidArgument ? EXIT_USAGE : EXIT_FAILURE;
  }
}
