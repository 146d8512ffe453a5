import { InvalidArgumentError } from '../errors.js';

/**
 * Checks the workspace an EnsureWorkspace or DeleteWorkspace request names. Drivers keep a
 * workspace as a label or a record field, so any non-empty string will do.
 * @throws InvalidArgumentError when it is empty.
 */
export function validateWorkspaceName(workspace: string): void {
  if (workspace === '') throw new InvalidArgumentError('workspace must not be empty');
}
