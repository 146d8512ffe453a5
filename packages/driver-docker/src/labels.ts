/**
 * Labels the driver puts on every container and network it creates (STYLE.md rule 17).
 * Ownership is decided by these labels alone: list and watch only see containers that carry
 * `managed-by=shellgate` and this gateway's id.
 */
export const LABEL_PREFIX = 'dev.shellgate.';

export const Label = {
  ManagedBy: `${LABEL_PREFIX}managed-by`,
  SandboxId: `${LABEL_PREFIX}sandbox-id`,
  SandboxName: `${LABEL_PREFIX}sandbox-name`,
  Workspace: `${LABEL_PREFIX}workspace`,
  Namespace: `${LABEL_PREFIX}namespace`,
  GatewayId: `${LABEL_PREFIX}gateway-id`,
} as const;
export type Label = (typeof Label)[keyof typeof Label];

/** The value of {@link Label.ManagedBy} on everything we create. */
export const MANAGED_BY_VALUE = 'shellgate';

/** Docker `label=` filters that select the containers this gateway's driver owns. */
export function toOwnershipFilters(gatewayId: string): string[] {
  return [`${Label.ManagedBy}=${MANAGED_BY_VALUE}`, `${Label.GatewayId}=${gatewayId}`];
}

/** Whether a label set marks a container as ours (managed by Shellgate, this gateway). */
export function isOwnedBy(labels: Readonly<Record<string, string>>, gatewayId: string): boolean {
  return labels[Label.ManagedBy] === MANAGED_BY_VALUE && labels[Label.GatewayId] === gatewayId;
}
