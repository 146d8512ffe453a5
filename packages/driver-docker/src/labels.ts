import { SANDBOX_LABEL_KEYS, toLabelKeys } from '@shellgate/driver-sdk';
import type { LabelKeys } from '@shellgate/driver-sdk';

/**
 * Label keys of containers made before the drivers shared the SDK's `shellgate.dev/`
 * vocabulary (issue 9). The driver writes only the new keys but still finds, owns and
 * deletes containers that carry these, so an upgrade orphans nothing.
 */
export const LEGACY_LABEL_KEYS: LabelKeys = toLabelKeys('dev.shellgate.');

/** Every vocabulary ownership is read in, the current one first. */
export const LABEL_VOCABULARIES: readonly LabelKeys[] = [SANDBOX_LABEL_KEYS, LEGACY_LABEL_KEYS];
