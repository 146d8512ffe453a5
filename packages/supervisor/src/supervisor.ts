import { once } from 'node:events';
import type { SupervisorConfig } from './config/supervisor-config.js';
import { runExec } from './exec/exec-runner.js';
import { LogQueue } from './logging/log-queue.js';
import { SupervisorLogger } from './logging/supervisor-logger.js';
import { MainProcess } from './process/main-process.js';
import { makeNonDumpable } from './process/non-dumpable.js';
import type { OutputStream } from './process/running-command.js';
import { GatewaySession } from './session/gateway-session.js';
import { createSessionClient } from './session/session-client.js';
import { SandboxToken } from './session/sandbox-token.js';
import { withChildUserEnvironment } from './user/child-environment.js';
import { decideChildUser } from './user/child-user-decision.js';
import type { UserSpec } from './user/user-spec.js';
import { SUPERVISOR_VERSION } from './version.js';

/** Signals passed on to the main process. SIGUSR1 only arrives when node runs with --disable-sigusr1 (Node >= 22.14). */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
/** How long the supervisor waits, after the main process exits, for its report and logs to reach the gateway. */
export const EXIT_DELIVERY_TIMEOUT_MS = 2_000;

export interface SupervisorRun {
  readonly tty: boolean;
  /** `--keep-token-file`: leave the token file readable (the driver's opt-out); default: empty it once read. */
  readonly isTokenFileKept?: boolean;
  /** The image's USER: the main process and execs run as it (when the supervisor is root). Absent: as the supervisor. */
  readonly user?: UserSpec;
  /** The canonical process (argv); empty: no main process, hold the session until SIGTERM. */
  readonly mainCommand: readonly string[];
}

/**
 * The container's environment for child processes: everything the container has, with the
 * user's environment (OPENSHELL_USER_ENVIRONMENT) filling variables that are missing; the
 * container's own values win, as drivers' values win over the user's.
 */
export function toChildEnvironment(userEnvironment: Readonly<Record<string, string>>, env: NodeJS.ProcessEnv): Record<string, string> {
  const merged: Record<string, string> = { ...userEnvironment };
  for (const [key, value] of Object.entries(env)) if (value !== undefined) merged[key] = value;
  return merged;
}

function passThrough(stream: OutputStream, chunk: Buffer): void {
  (stream === 'stdout' ? process.stdout : process.stderr).write(chunk);
}

/** Runs the supervisor until the main process exits (its exit code) or, with none, until SIGTERM/SIGINT (0). */
export async function runSupervisor(config: SupervisorConfig, run: SupervisorRun, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const logQueue = new LogQueue();
  // The session ships the queue; it exists only after the logger it needs, hence the late binding.
  const shipper = { notifyLogs: (): void => undefined };
  const enqueue = (line: Parameters<LogQueue['push']>[0]): void => {
    logQueue.push(line);
    shipper.notifyLogs();
  };
  const logger = new SupervisorLogger(config.logLevel, enqueue, 'supervisor', { sandboxId: config.sandboxId, sandbox: config.sandboxName });
  // Before the token is in memory: from here on no other process of the sandbox can read ours.
  const notDumpableBecause = makeNonDumpable();
  if (notDumpableBecause !== undefined) {
    logger.warn('the supervisor stays dumpable: processes of the sandbox running as its uid can read the token from its memory; run the agent as another user', { reason: notDumpableBecause });
  }
  const token = new SandboxToken({ path: config.tokenFile, isFileKept: run.isTokenFileKept ?? false, logger });
  try {
    // Taken before the main process or any exec starts, so none of them finds it in the file.
    token.take();
  } catch {
    // A missing or empty file: the session logs that and tries again before every attempt.
  }
  const childUser = decideChildUser(run.user, { supervisorUid: process.getuid?.() ?? 0, logger });
  if (childUser !== undefined) {
    // node-pty does not clear supplementary groups when it switches uid (child_process does):
    // drop root's from the supervisor so pty children do not inherit them. Root needs none.
    process.setgroups?.([]);
    logger.info('children run as the image user', { user: run.user?.text, uid: childUser.uid, gid: childUser.gid, name: childUser.name });
  }
  const processUser = childUser === undefined ? {} : { user: { uid: childUser.uid, gid: childUser.gid } };
  const client = createSessionClient(config.endpoint);
  const containerEnv = toChildEnvironment(config.userEnvironment, env);
  const childEnv = childUser === undefined ? containerEnv : withChildUserEnvironment(containerEnv, childUser);
  const execOptions = {
    ...processUser,
    client,
    sandboxId: config.sandboxId,
    readToken: () => token.take(),
    baseEnv: childEnv,
    defaultWorkdir: process.cwd(),
    logger,
  };
  const gatewaySession = new GatewaySession({
    client,
    sandboxId: config.sandboxId,
    takeToken: () => token.take(),
    logQueue,
    logger: logger.child('session'),
    onExecStart: (start) => {
      runExec(start, execOptions).catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        logger.error('exec could not attach', { execId: start.execId, reason: message });
        gatewaySession.rejectExec(start.execId, message);
      });
    },
  });
  shipper.notifyLogs = () => gatewaySession.notifyLogs();
  gatewaySession.start();
  logger.info('supervisor started', { version: SUPERVISOR_VERSION, instanceId: gatewaySession.instanceId, endpoint: config.endpoint.target });

  const shutdown = async (): Promise<void> => {
    await gatewaySession.close();
    client.close();
  };

  if (run.mainCommand.length === 0) {
    // Signal listeners do not keep node alive; between two session attempts nothing else would.
    const keepAlive = setInterval(() => undefined, 2 ** 30);
    await Promise.race([once(process, 'SIGTERM'), once(process, 'SIGINT')]);
    clearInterval(keepAlive);
    logger.info('stopping: no main process and a stop signal arrived');
    await shutdown();
    return 0;
  }

  const main = await MainProcess.start({ command: run.mainCommand, tty: run.tty, env: childEnv, ...processUser, logger, onLogLine: enqueue, passThrough });
  for (const signal of FORWARDED_SIGNALS) process.on(signal, () => main.signal(signal));
  if (main.pid !== undefined) logger.info('main process started', { pid: main.pid, tty: run.tty });
  // Also for a command that could not start (pid 0): the gateway takes an exit report only
  // from the instance that reported the start.
  gatewaySession.reportMainProcessStarted({ command: [...run.mainCommand], pid: main.pid ?? 0, tty: run.tty });
  const status = await main.exited;
  logger.info('main process exited', { exitCode: status.exitCode, signal: status.signal || undefined });
  gatewaySession.reportMainProcessExited(status);
  const isDelivered = await gatewaySession.waitForDelivery(EXIT_DELIVERY_TIMEOUT_MS);
  if (!isDelivered) logger.warn('exiting before the gateway got the main process exit', { waitedMs: EXIT_DELIVERY_TIMEOUT_MS });
  await shutdown();
  return status.exitCode;
}
