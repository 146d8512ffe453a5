import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';

/** The channel every store write notifies on; payloads are decoded by PostgresChangeListener. */
export const CHANGES_CHANNEL = 'shellgate_store_changes';

/** The database's clock in epoch ms: leases and heartbeats use it so replicas' clocks never meet. */
export const NOW_MS_SQL = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

/**
 * Runs queries on the pool, or on one connection inside a transaction. Hot statements are
 * named so Postgres parses them once per connection.
 */
export class PostgresExecutor {
  constructor(
    private readonly pool: Pool,
    private readonly client?: PoolClient,
  ) {}

  get isInTransaction(): boolean {
    return this.client !== undefined;
  }

  async query<Row extends QueryResultRow = QueryResultRow>(text: string, values: unknown[] = [], name?: string): Promise<QueryResult<Row>> {
    const target = this.client ?? this.pool;
    return target.query<Row>(name === undefined ? { text, values } : { name, text, values });
  }

  /** Rows as arrays (cheaper for long lists, and the shape the list decoders take). */
  async queryArrays<Tuple extends unknown[]>(text: string, values: unknown[], name: string): Promise<Tuple[]> {
    const target = this.client ?? this.pool;
    const result = await target.query<Tuple>({ name, text, values, rowMode: 'array' });
    return result.rows;
  }

  /**
   * Runs `work` in one transaction on one connection; inside a transaction already, it joins
   * it (the outer one commits or rolls back everything).
   */
  async transaction<T>(work: (executor: PostgresExecutor) => Promise<T>): Promise<T> {
    if (this.client !== undefined) return work(this);
    const client = await this.pool.connect();
    let isBroken = false;
    // The pool listens for errors of idle connections only: one that dies while checked out
    // (the server restarts between two statements) would crash the process unheard.
    const onError = (): void => {
      isBroken = true;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(new PostgresExecutor(this.pool, client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // The rollback's own failure (a dead connection) must not hide why the work failed.
      await client.query('ROLLBACK').catch(() => {
        isBroken = true;
      });
      throw error;
    } finally {
      client.removeListener('error', onError);
      client.release(isBroken);
    }
  }
}
