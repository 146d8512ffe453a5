import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import type { ProcessUser } from './running-command.js';

/** Why a command could not be started: 127 (not found) or 126 (found, but cannot run). */
export class CommandStartError extends Error {
  constructor(
    message: string,
    readonly exitCode: 126 | 127,
  ) {
    super(message);
    this.name = 'CommandStartError';
  }
}

/**
 * Whether `user` may execute a file with these stats, from its mode bits: the supervisor runs
 * as root, for whom access(2) says yes to any execute bit. Supplementary groups are not
 * counted, as children get none.
 */
function isExecutableBy(stats: Stats, user: ProcessUser): boolean {
  if (user.uid === 0) return (stats.mode & 0o111) !== 0;
  if (stats.uid === user.uid) return (stats.mode & 0o100) !== 0;
  if (stats.gid === user.gid) return (stats.mode & 0o010) !== 0;
  return (stats.mode & 0o001) !== 0;
}

function isExecutableFile(path: string, user: ProcessUser | undefined): boolean {
  try {
    const stats = statSync(path);
    if (!stats.isFile()) return false;
    if (user !== undefined) return isExecutableBy(stats, user);
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds `command` the way execvp(3) does (a name with a slash is a path, else each PATH
 * entry), so a pty spawn can fail with 127/126 before forking: node-pty's child only prints
 * "execvp(3) failed" and exits 1. With `user`, it checks what that user may execute.
 */
export function lookupExecutable(command: string, pathVariable: string | undefined, cwd: string, user?: ProcessUser): string {
  if (command.includes('/')) {
    const path = isAbsolute(command) ? command : resolve(cwd, command);
    if (isExecutableFile(path, user)) return path;
    if (exists(path)) throw new CommandStartError(`shellgate: ${command}: permission denied`, 126);
    throw new CommandStartError(`shellgate: ${command}: command not found`, 127);
  }
  let foundButNotExecutable = false;
  for (const directory of (pathVariable ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    const candidate = join(resolve(cwd, directory === '' ? '.' : directory), command);
    if (isExecutableFile(candidate, user)) return candidate;
    foundButNotExecutable ||= exists(candidate) && !statSync(candidate).isDirectory();
  }
  if (foundButNotExecutable) throw new CommandStartError(`shellgate: ${command}: permission denied`, 126);
  throw new CommandStartError(`shellgate: ${command}: command not found`, 127);
}

/** Checks a working directory before spawning: Node reports a missing cwd as a misleading ENOENT of the command. */
export function checkWorkdir(cwd: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(cwd).isDirectory();
  } catch {
    throw new CommandStartError(`shellgate: workdir ${cwd}: no such directory`, 126);
  }
  if (!isDirectory) throw new CommandStartError(`shellgate: workdir ${cwd}: not a directory`, 126);
}
