import { createHash } from 'node:crypto';

/** Per-VM uids are drawn from this many ids above `qemu_uid_base`. */
export const QEMU_UID_RANGE = 2 ** 20;

/**
 * Stable names for a sandbox's VM, derived from the driver's state dir and the sandbox id
 * (two drivers sharing a run dir or uid range do not collide): the instance id and run-dir
 * name `vm-<16 hex>`, and the uid its QEMU runs as. Two sandboxes sharing a uid (one chance
 * in a million per pair) only lose their isolation from each other's QEMU.
 */
export function toVmIdentity(stateDir: string, sandboxId: string, uidBase: number | undefined): { readonly instanceId: string; readonly uid: number | undefined } {
  const digest = createHash('sha256').update(`${stateDir}\0${sandboxId}`).digest();
  const instanceId = `vm-${digest.subarray(0, 8).toString('hex')}`;
  const uid = uidBase === undefined ? undefined : uidBase + (digest.readUInt32BE(8) % QEMU_UID_RANGE);
  return { instanceId, uid };
}
