import { SupervisorError, USAGE_EXIT_CODE } from '../errors.js';

/** Highest uid/gid Docker (runc) accepts: a signed 32-bit id. */
const MAX_ID = 2 ** 31 - 1;

/** One side of a user spec: a numeric id or a name to look up. */
export type IdOrName = { readonly id: number } | { readonly name: string };

/** The image's USER as Docker writes it: `user` or `user:group`, each a name or a number. */
export interface UserSpec {
  readonly user: IdOrName;
  readonly group?: IdOrName;
  /** The spec as given, for messages. */
  readonly text: string;
}

function badSpec(text: string, reason: string): SupervisorError {
  return new SupervisorError(`--user ${JSON.stringify(text)} is not a user spec: ${reason}`, {
    hint: 'use Docker USER syntax: NAME, UID, NAME:GROUP, UID:GID, NAME:GID or UID:GROUP',
    exitCode: USAGE_EXIT_CODE,
  });
}

function parsePart(text: string, part: string, what: 'user' | 'group'): IdOrName {
  if (part === '') throw badSpec(text, `the ${what} is empty`);
  if (/^\d+$/.test(part)) {
    const id = Number(part);
    if (id > MAX_ID) throw badSpec(text, `${what} id ${part} is above ${MAX_ID}`);
    return { id };
  }
  // passwd/group names cannot hold whitespace, control characters or the ':' separator.
  if (/[\s\p{Cc}]/u.test(part)) throw badSpec(text, `${what} name ${JSON.stringify(part)} contains whitespace or control characters`);
  return { name: part };
}

/** Parses Docker's USER syntax; throws a usage error (exit 2) naming what is wrong. */
export function parseUserSpec(text: string): UserSpec {
  const parts = text.split(':');
  if (parts.length > 2) throw badSpec(text, 'it has more than one ":"');
  const [user = '', group] = parts;
  return {
    user: parsePart(text, user, 'user'),
    ...(group !== undefined && { group: parsePart(text, group, 'group') }),
    text,
  };
}
