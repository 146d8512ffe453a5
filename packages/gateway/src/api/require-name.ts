import { throwIfProblems } from '@shellgate/driver-sdk';

/**
 * Refuses an empty name or id with INVALID_ARGUMENT, as upstream's API does ("name is
 * required"), before any lookup could answer NOT_FOUND for it. `rpc` names the request.
 */
export function requireName(value: string, field: string, rpc: string): string {
  throwIfProblems(`${rpc} request`, value === '' ? [{ field, reason: 'is required' }] : []);
  return value;
}
