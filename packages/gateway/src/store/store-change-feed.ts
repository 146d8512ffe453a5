/**
 * A change another replica committed to the shared store. Small on purpose (Postgres NOTIFY
 * payloads are capped at 8000 bytes): a consumer that needs the object reads it.
 */
export type StoreChange =
  | {
      readonly kind: 'sandbox';
      readonly id: string;
      readonly workspace: string;
      readonly name: string;
      /** resource_version after the write; for a delete, the version that was deleted. */
      readonly resourceVersion: number;
      readonly isDeleted: boolean;
    }
  | { readonly kind: 'workspace'; readonly name: string; readonly resourceVersion: number; readonly isDeleted: boolean }
  /**
   * Notifications may have been missed (the listening connection was lost and is back):
   * anything cached from the store must be re-read.
   */
  | { readonly kind: 'resync'; readonly reason: string };

export type StoreChangeListener = (change: StoreChange) => void;

/**
 * Changes committed through other store instances (other gateway replicas), delivered after
 * they commit. A store's own writes are never echoed: the writer already knows them. The
 * embedded SQLite store has one writer, so it delivers nothing.
 */
export interface StoreChangeFeed {
  /** Calls `listener` for every remote change until the returned function is called. */
  subscribeChanges(listener: StoreChangeListener): () => void;
}
