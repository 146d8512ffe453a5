import { closeSync, constants, accessSync, openSync, readSync, statSync } from 'node:fs';
import { basename, isAbsolute } from 'node:path';

/**
 * Notes on why an executable may not start, like go-plugin's Diagnose: does the path
 * exist, its mode, owner and executable bit, and the interpreter its shebang names.
 * Never throws; every finding is a line of text.
 */
export function diagnoseExecutable(command: readonly string[]): string[] {
  const [program, ...args] = command;
  if (program === undefined) return ['empty command'];
  const notes = describePath(program, 'executable');
  // `node script.js` (built-ins): the script is the interesting file.
  const script = args[0];
  if (script !== undefined && /^node(js)?(\.exe)?$/.test(basename(program)) && isAbsolute(script)) {
    notes.push(...describePath(script, 'script'));
  }
  return notes;
}

function describePath(path: string, role: string): string[] {
  if (!isAbsolute(path)) return [`${role} ${path} is not an absolute path; it is looked up in PATH`];
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    return [`${role} ${path} cannot be examined: ${(error as { code?: string }).code ?? (error as Error).message}`];
  }
  const notes = [
    `${role} ${path}: ${stats.isFile() ? 'file' : stats.isDirectory() ? 'directory' : 'not a regular file'}, mode ${(stats.mode & 0o7777).toString(8).padStart(4, '0')}, owner uid ${stats.uid} gid ${stats.gid}, ${stats.size} bytes`,
  ];
  if (role === 'executable') {
    try {
      accessSync(path, constants.X_OK);
      notes.push(`${role} ${path} is executable by this user`);
    } catch {
      notes.push(`${role} ${path} is NOT executable by this user (chmod +x it)`);
    }
  }
  const shebang = stats.isFile() ? readShebang(path) : undefined;
  if (shebang !== undefined) notes.push(...describeShebang(path, shebang));
  return notes;
}

function describeShebang(path: string, shebang: string): string[] {
  const interpreter = shebang.split(/\s+/)[0] ?? '';
  const notes = [`${path} starts with #!${shebang}`];
  if (interpreter === '' || !isAbsolute(interpreter)) return notes;
  try {
    accessSync(interpreter, constants.X_OK);
  } catch (error) {
    notes.push(`interpreter ${interpreter} is missing or not executable (${(error as { code?: string }).code ?? 'error'})`);
  }
  return notes;
}

function readShebang(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(256);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const head = buffer.subarray(0, length).toString('utf8');
    if (!head.startsWith('#!')) return undefined;
    return head.slice(2).split('\n')[0]?.trim();
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
