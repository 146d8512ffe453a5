/**
 * One label vocabulary for everything a driver creates (STYLE.md rule 17): the same names
 * on containers, pods and VMs, so ownership reads the same everywhere. Keys are
 * `shellgate.dev/<name>`, valid as Docker/Podman labels and as Kubernetes label keys; an
 * engine whose keys are spelled differently builds its own {@link LabelKeys} with
 * {@link toLabelKeys}, and a driver that must still own objects made under an older spelling
 * reads with several vocabularies.
 */

export const SandboxLabelName = {
  ManagedBy: 'managed-by',
  SandboxId: 'sandbox-id',
  SandboxName: 'sandbox-name',
  Workspace: 'workspace',
  Namespace: 'namespace',
  GatewayId: 'gateway-id',
} as const;
export type SandboxLabelName = (typeof SandboxLabelName)[keyof typeof SandboxLabelName];

/** The value of the managed-by label on everything we create. */
export const MANAGED_BY_VALUE = 'shellgate';

/** How one engine spells each label key. */
export interface LabelKeys {
  readonly managedBy: string;
  readonly sandboxId: string;
  readonly sandboxName: string;
  readonly workspace: string;
  readonly namespace: string;
  readonly gatewayId: string;
}

/** The keys for a prefix, e.g. `shellgate.dev/` or a legacy `dev.shellgate.`. */
export function toLabelKeys(prefix: string, format: (name: SandboxLabelName) => string = (name) => name): LabelKeys {
  const key = (name: SandboxLabelName): string => `${prefix}${format(name)}`;
  return {
    managedBy: key(SandboxLabelName.ManagedBy),
    sandboxId: key(SandboxLabelName.SandboxId),
    sandboxName: key(SandboxLabelName.SandboxName),
    workspace: key(SandboxLabelName.Workspace),
    namespace: key(SandboxLabelName.Namespace),
    gatewayId: key(SandboxLabelName.GatewayId),
  };
}

/** The vocabulary every driver writes. */
export const SANDBOX_LABEL_KEYS: LabelKeys = toLabelKeys('shellgate.dev/');

/** Who a labelled object belongs to. */
export interface SandboxOwnership {
  readonly sandboxId: string;
  readonly sandboxName: string;
  readonly workspace: string;
  readonly namespace: string;
  readonly gatewayId: string;
}

/** The labels of a sandbox's backend object. */
export function toSandboxLabels(owner: SandboxOwnership, keys: LabelKeys = SANDBOX_LABEL_KEYS): Record<string, string> {
  return {
    [keys.managedBy]: MANAGED_BY_VALUE,
    [keys.sandboxId]: owner.sandboxId,
    [keys.sandboxName]: owner.sandboxName,
    [keys.workspace]: owner.workspace,
    [keys.namespace]: owner.namespace,
    [keys.gatewayId]: owner.gatewayId,
  };
}

/** The labels of a driver-wide object (a network) owned by a gateway. */
export function toGatewayOwnedLabels(gatewayId: string, keys: LabelKeys = SANDBOX_LABEL_KEYS): Record<string, string> {
  return { [keys.managedBy]: MANAGED_BY_VALUE, [keys.gatewayId]: gatewayId };
}

/** `key=value` selectors for the objects a gateway owns, in one vocabulary (engines AND them). */
export function toOwnershipSelectors(gatewayId: string, keys: LabelKeys = SANDBOX_LABEL_KEYS): string[] {
  return Object.entries(toGatewayOwnedLabels(gatewayId, keys)).map(([key, value]) => `${key}=${value}`);
}

/**
 * Who owns a labelled object, read in the first vocabulary of `vocabularies` that marks it
 * managed by Shellgate; undefined when none does, or when `gatewayId` is given and differs.
 */
export function readSandboxOwnership(
  labels: Readonly<Record<string, string>>,
  options: { readonly gatewayId?: string; readonly vocabularies?: readonly LabelKeys[] } = {},
): SandboxOwnership | undefined {
  const keys = (options.vocabularies ?? [SANDBOX_LABEL_KEYS]).find((candidate) => labels[candidate.managedBy] === MANAGED_BY_VALUE);
  if (keys === undefined) return undefined;
  const owner = {
    sandboxId: labels[keys.sandboxId] ?? '',
    sandboxName: labels[keys.sandboxName] ?? '',
    workspace: labels[keys.workspace] ?? '',
    namespace: labels[keys.namespace] ?? '',
    gatewayId: labels[keys.gatewayId] ?? '',
  };
  if (options.gatewayId !== undefined && owner.gatewayId !== options.gatewayId) return undefined;
  return owner;
}
