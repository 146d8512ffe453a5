import { SANDBOX_LABEL_KEYS, readSandboxOwnership, toLabelKeys, toOwnershipSelectors } from '@shellgate/driver-sdk';
import type { LabelKeys, SandboxOwnership } from '@shellgate/driver-sdk';

/**
 * Label keys of containers made before the drivers shared the SDK's `shellgate.dev/`
 * vocabulary (issue 9). The driver writes only the new keys but still finds, owns and
 * deletes containers that carry these, so an upgrade orphans nothing.
 */
export const LEGACY_LABEL_KEYS: LabelKeys = toLabelKeys('dev.shellgate.');

/** Every vocabulary ownership is read in, the current one first. */
export const LABEL_VOCABULARIES: readonly LabelKeys[] = [SANDBOX_LABEL_KEYS, LEGACY_LABEL_KEYS];

/**
 * Docker `label=` filter sets that select the containers this gateway's driver owns: one
 * set per vocabulary, since Docker ANDs the filters of one request.
 */
export function toOwnershipFilterSets(gatewayId: string): string[][] {
  return LABEL_VOCABULARIES.map((keys) => toOwnershipSelectors(gatewayId, keys));
}

/** Who owns a container, in whichever vocabulary it was labelled; undefined when not this gateway's. */
export function readContainerOwnership(labels: Readonly<Record<string, string>>, gatewayId?: string): SandboxOwnership | undefined {
  return readSandboxOwnership(labels, { vocabularies: LABEL_VOCABULARIES, ...(gatewayId === undefined ? {} : { gatewayId }) });
}
