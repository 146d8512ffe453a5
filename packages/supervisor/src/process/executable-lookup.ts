import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

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

function isExecutableFile(path: string): boolean {
  try {
    return statSync(path).isFile() && (accessSync(path, constants.X_OK), true);
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
 * "execvp(3) failed" and exits 1.
 */
export function lookupExecutable(command: string, pathVariable: string | undefined, cwd: string): string {
  if (command.includes('/')) {
    const path = isAbsolute(command) ? command : resolve(cwd, command);
    if (isExecutableFile(path)) return path;
    if (exists(path)) throw new CommandStartError(`shellgate: ${command}: permission denied`, 126);
    throw new CommandStartError(`shellgate: ${command}: command not found`, 127);
  }
  let foundButNotExecutable = false;
  for (const directory of (pathVariable ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    const candidate = join(resolve(cwd, directory === '' ? '.' : directory), command);
    if (isExecutableFile(candidate)) return candidate;
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
