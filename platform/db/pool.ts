// The one PostgreSQL pool of the process, behind a small `Db` module (node-postgres style):
// `query` for single statements, `transaction` for several (ROLLBACK in catch, release in finally).
// Connection-level failures are rethrown as DatabaseUnavailableError so the HTTP layer answers 503;
// SQL errors keep their SQLSTATE `code` (23505, 22P02, ...) for the caller to branch on.
import pg from 'pg';

export type Db = {
  pool: pg.Pool;
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

export type DbOptions = {
  connectionString: string;
  max: number;
  /** How long a request waits for a free connection before failing with 503. */
  connectionTimeoutMillis?: number;
  applicationName?: string;
  onError?: (error: Error) => void;
};

/** The database could not be reached (refused, dropped, shutting down, pool wait timed out). */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super('database unavailable', { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * True when an error means "the database is not there" rather than "this statement is wrong":
 * SQLSTATE class 08 (connection exception), 57P01-57P03 (admin shutdown, crash shutdown, cannot
 * connect now), socket errno codes, and errors node-postgres raises without a SQLSTATE while the
 * connection is unusable (terminated, pool connect timeout).
 */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return true;
    if (NETWORK_CODES.has(code)) return true;
  }
  if (error instanceof pg.DatabaseError) return false;
  // AggregateError from a dual-stack connect attempt carries the codes on its members.
  if (error instanceof AggregateError) return error.errors.some(isConnectionFailure);
  return false;
}

export function createDb(options: DbOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'rampart-target',
  });
  // An idle client whose server went away emits 'error' on the pool; without a listener the
  // process would crash. The pool drops that client and opens a new one on the next checkout.
  pool.on('error', (error) => options.onError?.(error));

  /**
   * A client for one statement or one transaction. While it is checked out the pool no longer
   * listens for its 'error' event (pg-pool only guards idle clients), so a server that goes away
   * between two statements of a worker's transaction would crash the process with an unhandled
   * 'error'. The listener here records that error instead; `release` then destroys the client.
   */
  async function checkout(): Promise<{ client: pg.PoolClient; release: (failure?: Error) => void }> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      // Every failure to obtain a connection (refused, timeout waiting for one) is "unavailable".
      throw new DatabaseUnavailableError(error);
    }
    let lost: Error | undefined;
    const onError = (error: Error): void => {
      lost = error;
      options.onError?.(error);
    };
    client.on('error', onError);
    return {
      client,
      release: (failure) => {
        client.removeListener('error', onError);
        // Passing an error destroys a broken connection instead of returning it to the pool.
        client.release(failure ?? lost);
      },
    };
  }

  return {
    pool,
    async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[]): Promise<pg.QueryResult<R>> {
      const { client, release } = await checkout();
      let failure: Error | undefined;
      try {
        return await client.query<R>(text, params);
      } catch (error) {
        if (isConnectionFailure(error) || !(error instanceof pg.DatabaseError)) {
          failure = error instanceof Error ? error : new Error(String(error));
          throw new DatabaseUnavailableError(error);
        }
        throw error;
      } finally {
        release(failure);
      }
    },
    async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
      const { client, release } = await checkout();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        if (isConnectionFailure(error)) {
          broken = error instanceof Error ? error : new Error(String(error));
          throw new DatabaseUnavailableError(error);
        }
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // A connection that cannot even roll back is gone: report the database as unavailable.
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
          throw new DatabaseUnavailableError(error);
        }
        throw error;
      } finally {
        release(broken);
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
