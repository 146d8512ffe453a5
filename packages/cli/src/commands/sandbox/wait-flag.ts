import type { FlagSpec } from '../../args/flag-spec.js';

/** `--wait`, shared by create, start, stop and delete. */
export const WAIT_FLAG: FlagSpec = {
  name: 'wait',
  kind: 'boolean',
  description: 'wait until done, showing progress on stderr; --timeout bounds the whole wait (default 5m)',
};
