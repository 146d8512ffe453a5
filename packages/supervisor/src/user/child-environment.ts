import type { ChildUser } from './resolve-user.js';

/** HOME as Docker sets it for a root container; seen here, it was not the user's choice. */
const ROOT_HOME = '/root';

/**
 * The children's environment for `user`: HOME becomes the passwd home (or "/") and
 * USER/LOGNAME the passwd name, but only where the container's value is missing or is root's
 * (what Docker puts there when the container runs as root); a value the image or the user set
 * wins.
 */
export function withChildUserEnvironment(env: Readonly<Record<string, string>>, user: ChildUser): Record<string, string> {
  const result = { ...env };
  if (result.HOME === undefined || result.HOME === ROOT_HOME) result.HOME = user.home || '/';
  if (user.name !== undefined) {
    for (const key of ['USER', 'LOGNAME'] as const) if (result[key] === undefined || result[key] === 'root') result[key] = user.name;
  }
  return result;
}
