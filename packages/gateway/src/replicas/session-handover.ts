import type { Logger } from '@shellgate/driver-sdk';
import { sessionReplicaOf, type SandboxEventBus, type SandboxStatusSync } from '../sandboxes/index.js';
import type { SupervisorHub } from '../supervision/index.js';

export interface SessionHandoverOptions {
  readonly replicaId: string;
  readonly events: SandboxEventBus;
  readonly hub: Pick<SupervisorHub, 'connectionOf'>;
  readonly statusSync: Pick<SandboxStatusSync, 'applyLocalSession'>;
  readonly logger: Logger;
}

/**
 * Keeps the stored session holder and this replica's live sessions in step. A sandbox whose
 * record names another replica while a session of it is open here has moved (its supervisor
 * reconnected there, and this stream is a dead one not yet timed out): the local one is
 * superseded, so exec and logs go one way. A record that names no one while the session is
 * live here was released by a leader that thought this replica dead (a heartbeat lapsed
 * during a database outage): it is claimed again. Returns the unsubscribe.
 */
export function followSessionHolders(options: SessionHandoverOptions): () => void {
  const { replicaId, hub, statusSync, logger } = options;
  return options.events.subscribeAll((change) => {
    if (change.kind !== 'updated') return;
    const sandboxId = change.sandbox.metadata?.id ?? '';
    const connection = hub.connectionOf(sandboxId);
    if (connection === undefined || !connection.isOpen) return;
    const holder = sessionReplicaOf(change.sandbox);
    if (holder === replicaId) return;
    if (holder === undefined) {
      logger.info('claiming again the session of a sandbox released while it was live here', { sandboxId });
      statusSync.applyLocalSession(sandboxId, true).catch((error: unknown) => logger.warn('claiming a session failed', { sandboxId, error: String(error) }));
      return;
    }
    logger.info('supervisor session moved to another replica; ending the one here', { sandboxId, holder });
    connection.supersede();
  }, (sandboxId) => hub.connectionOf(sandboxId)?.isOpen === true);
}
