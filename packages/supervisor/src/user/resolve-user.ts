import { readFileSync } from 'node:fs';
import { SupervisorError, USAGE_EXIT_CODE } from '../errors.js';
import { parseGroup, parsePasswd, type GroupEntry, type PasswdEntry } from './passwd-file.js';
import type { UserSpec } from './user-spec.js';

/** Who the main process and execs run as, resolved inside the sandbox. */
export interface ChildUser {
  readonly uid: number;
  readonly gid: number;
  /** The passwd name; absent for a numeric uid without a passwd entry. */
  readonly name?: string;
  /** The passwd home; absent for a numeric uid without a passwd entry. */
  readonly home?: string;
}

/** Where the user databases are; tests point these at fixtures. */
export interface UserDatabases {
  readonly passwdFile: string;
  readonly groupFile: string;
}

export const SYSTEM_USER_DATABASES: UserDatabases = { passwdFile: '/etc/passwd', groupFile: '/etc/group' };

/** A database file's text, or undefined when the image has none (a bare busybox may not). */
function readDatabase(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SupervisorError(`cannot read ${path}: ${(error as Error).message}`, { hint: 'the supervisor resolves --user from it; check its permissions', cause: error });
  }
}

function notFound(spec: UserSpec, what: string, file: string, isMissing: boolean): SupervisorError {
  return new SupervisorError(`--user ${spec.text}: ${what} not found in ${file}${isMissing ? ' (the image has no such file)' : ''}`, {
    hint: 'use a numeric id (it need not exist in the file), or add the entry to the image',
    exitCode: USAGE_EXIT_CODE,
  });
}

/**
 * Resolves a USER spec the way Docker (runc) does: a name must be in passwd, a uid need not
 * be; without an explicit group the gid is the passwd entry's, or 0 for a uid with no entry;
 * a group name must be in group, a gid need not be.
 */
export function resolveUserSpec(spec: UserSpec, databases: UserDatabases = SYSTEM_USER_DATABASES): ChildUser {
  const passwdText = readDatabase(databases.passwdFile);
  const passwd: PasswdEntry[] = passwdText === undefined ? [] : parsePasswd(passwdText);
  const requested = spec.user;
  const entry = passwd.find((candidate) => ('id' in requested ? candidate.uid === requested.id : candidate.name === requested.name));
  let identity: Omit<ChildUser, 'gid'>;
  if (entry !== undefined) identity = { uid: entry.uid, name: entry.name, home: entry.home };
  else if ('id' in requested) identity = { uid: requested.id };
  else throw notFound(spec, `user ${JSON.stringify(requested.name)}`, databases.passwdFile, passwdText === undefined);
  const group = spec.group;
  if (group === undefined) return { ...identity, gid: entry?.gid ?? 0 };
  if ('id' in group) return { ...identity, gid: group.id };
  const groupText = readDatabase(databases.groupFile);
  const groups: GroupEntry[] = groupText === undefined ? [] : parseGroup(groupText);
  const groupEntry = groups.find((candidate) => candidate.name === group.name);
  if (groupEntry === undefined) throw notFound(spec, `group ${JSON.stringify(group.name)}`, databases.groupFile, groupText === undefined);
  return { ...identity, gid: groupEntry.gid };
}
