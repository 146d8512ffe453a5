/** One /etc/passwd line's fields the supervisor uses. */
export interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
}

/** One /etc/group line's fields the supervisor uses (members are not: see docs/supervisor.md). */
export interface GroupEntry {
  readonly name: string;
  readonly gid: number;
}

function isId(field: string | undefined): field is string {
  return field !== undefined && /^\d+$/.test(field);
}

/** Lines of a colon-separated database, without blanks and comments. */
function records(text: string): string[][] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line) => line.split(':'));
}

/** Parses /etc/passwd (`name:password:uid:gid:gecos:home:shell`); malformed lines are skipped, as libc does. */
export function parsePasswd(text: string): PasswdEntry[] {
  return records(text).flatMap(([name, , uid, gid, , home]) => (name && isId(uid) && isId(gid) ? [{ name, uid: Number(uid), gid: Number(gid), home: home ?? '' }] : []));
}

/** Parses /etc/group (`name:password:gid:members`); malformed lines are skipped. */
export function parseGroup(text: string): GroupEntry[] {
  return records(text).flatMap(([name, , gid]) => (name && isId(gid) ? [{ name, gid: Number(gid) }] : []));
}
