#!/usr/bin/env node
import { PARENT_WATCH_ENV, PARENT_WATCH_STDIN, createLogger, isShellgateError, watchParentThroughStdin, type Logger } from '@shellgate/driver-sdk';
import { GATEWAY_VERSION, GatewayApp } from './app/index.js';
import { gatewayHelpText, isHelpRequested, loadGatewayConfig, type GatewayConfig } from './config/index.js';

/** Exit codes: 0 clean stop, 1 failed to start or crashed, 2 bad command line or config. */
const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (isHelpRequested(argv)) {
    process.stdout.write(gatewayHelpText());
    return EXIT_OK;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`shellgate-gateway ${GATEWAY_VERSION}\n`);
    return EXIT_OK;
  }
  let config: GatewayConfig;
  try {
    config = loadGatewayConfig({ argv, env });
  } catch (error) {
    process.stderr.write(`shellgate-gateway: ${describe(error)}\n`);
    return EXIT_USAGE;
  }
  const logger = createLogger({ level: config.logLevel, name: 'shellgate-gateway', format: config.logFormat });
  // Listen for SIGTERM before starting: "gateway ready" is logged inside start, and a signal
  // right after it must stop the gateway cleanly, not kill it (a docs test caught the race).
  const stopRequested = waitForStop(logger, env);
  let app: GatewayApp;
  try {
    app = await GatewayApp.start(config, logger);
  } catch (error) {
    logger.error('gateway failed to start', { error: describe(error) });
    process.stderr.write(`shellgate-gateway: ${describe(error)}\n`);
    // The stop watch is already listening: its stdin pipe would keep a failed gateway alive.
    if (env[PARENT_WATCH_ENV] === PARENT_WATCH_STDIN) process.stdin.destroy();
    return EXIT_FAILED;
  }
  await stopRequested;
  await app.close();
  // The parent watch reads stdin; a pipe its parent still holds would keep the process alive.
  if (env[PARENT_WATCH_ENV] === PARENT_WATCH_STDIN) process.stdin.destroy();
  logger.info('gateway stopped');
  return EXIT_OK;
}

/**
 * Resolves on the first SIGTERM/SIGINT (a second one while stopping exits at once), or, when
 * whoever spawned the gateway set SHELLGATE_PARENT_WATCH=stdin, on EOF of the stdin pipe it
 * holds: a test or benchmark harness killed with SIGKILL takes its gateway with it.
 */
async function waitForStop(logger: Logger, env: NodeJS.ProcessEnv): Promise<void> {
  await new Promise<void>((resolve) => {
    let isStopping = false;
    const forceExit = (again: NodeJS.Signals): void => {
      logger.warn('second signal while stopping; exiting now', { signal: again });
      process.exit(EXIT_FAILED);
    };
    const stop = (fields: Record<string, unknown>): void => {
      if (isStopping) return;
      isStopping = true;
      logger.info('stopping', fields);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      process.once('SIGTERM', forceExit);
      process.once('SIGINT', forceExit);
      resolve();
    };
    const onSignal = (signal: NodeJS.Signals): void => stop({ signal });
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    watchParentThroughStdin(env, () => stop({ reason: 'stdin closed: the process that started the gateway is gone' }));
  });
}

function describe(error: unknown): string {
  if (isShellgateError(error)) return error.describe();
  return error instanceof Error ? error.message : String(error);
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`shellgate-gateway: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT_FAILED;
  },
);
