import { toSandboxLabels, toSupervisorArgs } from '@shellgate/driver-sdk';
import type { DriverSandbox, SupervisorRuntime } from '@shellgate/driver-sdk';

import type { ResolvedImage } from './provision-sandbox.js';

/** Neither the sandbox nor its image names a command, and the supervisor needs one to start. */
export class NoCommandError extends Error {
  constructor(image: string) {
    super(`image ${image} has no ENTRYPOINT or CMD and the sandbox names no command; set spec.command`);
    this.name = 'NoCommandError';
  }
}

/** What a sandbox container runs, in words both engines' create bodies have. */
export interface ContainerProcess {
  /** Empty: the image's own entrypoint. Set, the image's command is not used either. */
  readonly entrypoint: readonly string[];
  /** Empty: the image's default command. */
  readonly command: readonly string[];
  /** The container gets a terminal. */
  readonly isTty: boolean;
  /** The container's user; empty: the image's own USER. */
  readonly user: string;
  /** The engine's init as PID 1, reaping zombies and passing signals on to the entrypoint. */
  readonly hasInit: boolean;
}

/** The labels every sandbox container carries; ownership filters select on them. */
export function toContainerLabels(sandbox: DriverSandbox, gatewayId: string): Record<string, string> {
  return toSandboxLabels({ sandboxId: sandbox.id, sandboxName: sandbox.name, workspace: sandbox.workspace, namespace: sandbox.namespace, gatewayId });
}

/** GPUs asked for: 0 when none; a `gpu` requirement without a count means one. */
export function toGpuCount(sandbox: DriverSandbox): number {
  const gpu = sandbox.spec?.resourceRequirements?.gpu;
  if (gpu === undefined) return 0;
  return gpu.count ?? 1;
}

export interface ContainerProcessOptions {
  /** `expose_token_to_agent`: the supervisor leaves the token file readable (`--keep-token-file`). */
  readonly isTokenFileKept?: boolean;
}

/** USER values that mean root: empty, `root`, `0`, with or without a group. */
export function isRootUser(user: string): boolean {
  const name = user.split(':')[0] ?? '';
  return name === '' || name === 'root' || name === '0';
}

/**
 * What the container runs. Without a supervisor: `spec.command` as the container's command
 * (empty: the image's default) and the sandbox's tty as the container's. With one: the
 * bundle's entrypoint, given `[--tty] [--user USER] -- <canonical command>` (spec.command,
 * else the image's own entrypoint + cmd, which the supervisor starts), and no container tty:
 * the supervisor gives the main process its pty, and its own stdout/stderr stay apart in the
 * engine's logs. An image with a non-root USER still gets a root supervisor (only root reads
 * and empties the 0600 token file), which runs the main process and every exec as that user. The
 * engine's init (Docker's tini, Podman's catatonit) runs as PID 1 above the supervisor to
 * reap the zombies agents leave behind: Node cannot as PID 1.
 * @throws NoCommandError under a supervisor when neither the sandbox nor the image names a command.
 */
export function toContainerProcess(
  sandbox: DriverSandbox,
  image: ResolvedImage,
  supervisor: SupervisorRuntime | undefined,
  options: ContainerProcessOptions = {},
): ContainerProcess {
  const command = sandbox.spec?.command ?? [];
  const tty = sandbox.spec?.tty ?? false;
  if (supervisor === undefined) return { entrypoint: [], command, isTty: tty, user: '', hasInit: false };
  const canonical = command.length > 0 ? command : [...image.info.entrypoint, ...image.info.cmd];
  if (canonical.length === 0) throw new NoCommandError(image.reference);
  const imageUser = isRootUser(image.info.user) ? '' : image.info.user;
  return {
    entrypoint: supervisor.entrypoint,
    command: toSupervisorArgs(canonical, { tty, user: imageUser, isTokenFileKept: options.isTokenFileKept === true }),
    isTty: false,
    user: imageUser === '' ? '' : '0:0',
    hasInit: true,
  };
}
