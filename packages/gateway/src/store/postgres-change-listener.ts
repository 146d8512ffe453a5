import { silentLogger } from '@shellgate/driver-sdk';
import type { Logger } from '@shellgate/driver-sdk';
import pg from 'pg';
import type { ClientConfig, Notification } from 'pg';

import { CHANGES_CHANNEL } from './postgres-executor.js';
import type { StoreChange, StoreChangeListener } from './store-change-feed.js';

/** Reconnect delays after the listening connection is lost: doubling, capped. */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 5_000;

interface ChangePayload {
  o: string;
  k: 's' | 'w';
  id?: string;
  ws?: string;
  n: string;
  v: number;
  d: boolean;
}

/** A NOTIFY payload as a change, or undefined for our own writes and anything malformed. */
export function decodeChangePayload(payload: string | undefined, ownOrigin: string): StoreChange | undefined {
  let parsed: ChangePayload;
  try {
    parsed = JSON.parse(payload ?? '') as ChangePayload;
  } catch {
    return undefined;
  }
  if (parsed.o === ownOrigin) return undefined;
  if (parsed.k === 'w') return { kind: 'workspace', name: parsed.n, resourceVersion: parsed.v, isDeleted: parsed.d };
  if (parsed.k !== 's' || parsed.id === undefined) return undefined;
  return { kind: 'sandbox', id: parsed.id, workspace: parsed.ws ?? '', name: parsed.n, resourceVersion: parsed.v, isDeleted: parsed.d };
}

/**
 * One dedicated connection LISTENing on the store's channel (NOTIFY cannot go through a
 * pool: a pooled connection is handed back after each query). While connected, Postgres
 * delivers every committed write's notification; when the connection drops, some may be
 * lost, so after reconnecting (backoff 100 ms doubling to 5 s) it reports a `resync`.
 */
export class PostgresChangeListener {
  private client: pg.Client | undefined;
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private isClosed = false;
  /** Set when a connection failed or dropped: notifications may have gone by unheard. */
  private hasMissed = false;

  constructor(
    private readonly config: ClientConfig,
    private readonly origin: string,
    private readonly deliver: StoreChangeListener,
    private readonly logger: Logger = silentLogger,
  ) {}

  /** Connects in the background; resolves once the first LISTEN is in place or failed. */
  async start(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    this.isClosed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.isClosed) return;
    const client = new pg.Client(this.config);
    client.on('notification', (message: Notification) => this.onNotification(message));
    client.on('error', (error: Error) => this.onLost(client, error));
    client.on('end', () => this.onLost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch (error) {
      this.onLost(client, error);
      return;
    }
    if (this.isClosed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryMs = FIRST_RETRY_MS;
    if (this.hasMissed) {
      this.hasMissed = false;
      this.logger.info('listening for store changes again; re-reading what may have been missed');
      this.deliver({ kind: 'resync', reason: 'the store change listener reconnected' });
    }
  }

  private onNotification(message: Notification): void {
    if (message.channel !== CHANGES_CHANNEL) return;
    const change = decodeChangePayload(message.payload, this.origin);
    if (change !== undefined) this.deliver(change);
  }

  /** Error and end both fire for one loss; only the first schedules a reconnect. */
  private onLost(client: pg.Client, error: unknown): void {
    client.removeAllListeners('end');
    client.removeAllListeners('error');
    client.on('error', () => undefined);
    if (this.client === client) this.client = undefined;
    this.hasMissed = true;
    void client.end().catch(() => undefined);
    if (this.isClosed || this.retryTimer !== undefined) return;
    this.logger.warn('store change listener lost its connection; reconnecting', { error: error instanceof Error ? error.message : String(error), retryMs: this.retryMs });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }
}
