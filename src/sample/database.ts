// The sampler's one connection to the platform's PostgreSQL, held for the run: read-only, with
// application_name 'rampart-sampler' and short timeouts, so it can neither change the database nor
// hang the run. Every query it sends carries the SAMPLER_TAG comment (after its first word), which keeps its own
// statements out of the pg_stat_statements delta (./statements.ts) and its backend out of the
// activity counts.
import pg from 'pg';

export const SAMPLER_NAME = 'rampart-sampler';
export const SAMPLER_TAG = `/* ${SAMPLER_NAME} */`;

/** A connection that is closed within `timeoutMs` however the server behaves. */
export interface SamplerConnection {
  query<R extends pg.QueryResultRow>(text: string): Promise<R[]>;
  close(timeoutMs: number): Promise<void>;
}

export async function connectDatabase(url: string, timeoutMs = 3000): Promise<SamplerConnection> {
  const client = new pg.Client({
    connectionString: url,
    application_name: SAMPLER_NAME,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs + 1000, // the client's own backstop when the server stops answering
    statement_timeout: timeoutMs,
    options: '-c default_transaction_read_only=on -c lock_timeout=1000',
  });
  client.on('error', () => undefined); // a lost server: the next query fails and says so
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
  return {
    async query<R extends pg.QueryResultRow>(text: string): Promise<R[]> {
      // after the first keyword: pg_stat_statements keeps a statement's text from its first keyword on
      return (await client.query<R>(text.replace(/^\s*(\w+)/, `$1 ${SAMPLER_TAG}`))).rows;
    },
    async close(ms: number): Promise<void> {
      await Promise.race([client.end().catch(() => undefined), new Promise((r) => setTimeout(r, ms).unref())]);
    },
  };
}

/** pg_stat_activity and pg_stat_database of the connection's database, at one moment. Counters are running totals. */
export interface DatabaseReading {
  active: number;
  idle: number;
  idleInTransaction: number;
  waitingOnLock: number;
  blksHit: number;
  blksRead: number;
  rowsRead: number; // tup_returned + tup_fetched
  rowsWritten: number; // tup_inserted + tup_updated + tup_deleted
  tempBytes: number;
  deadlocks: number;
}

const ACTIVITY_AND_TOTALS = `SELECT
  count(*) FILTER (WHERE a.state = 'active') AS active,
  count(*) FILTER (WHERE a.state = 'idle') AS idle,
  count(*) FILTER (WHERE a.state LIKE 'idle in transaction%') AS idle_in_transaction,
  count(*) FILTER (WHERE a.wait_event_type = 'Lock') AS waiting_on_lock,
  (SELECT row_to_json(d) FROM (SELECT blks_hit, blks_read, tup_returned + tup_fetched AS rows_read,
     tup_inserted + tup_updated + tup_deleted AS rows_written, temp_bytes, deadlocks
     FROM pg_stat_database WHERE datname = current_database()) d) AS totals
FROM pg_stat_activity a
WHERE a.datname = current_database() AND a.backend_type = 'client backend'
  AND a.pid <> pg_backend_pid() AND a.application_name <> '${SAMPLER_NAME}'`;

interface ActivityRow {
  active: string; idle: string; idle_in_transaction: string; waiting_on_lock: string;
  totals: Record<string, number | string> | null;
}

export async function readDatabase(connection: SamplerConnection): Promise<DatabaseReading> {
  const [row] = await connection.query<ActivityRow>(ACTIVITY_AND_TOTALS);
  const totals = row.totals ?? {};
  const total = (name: string): number => Number(totals[name] ?? 0);
  return {
    active: Number(row.active),
    idle: Number(row.idle),
    idleInTransaction: Number(row.idle_in_transaction),
    waitingOnLock: Number(row.waiting_on_lock),
    blksHit: total('blks_hit'),
    blksRead: total('blks_read'),
    rowsRead: total('rows_read'),
    rowsWritten: total('rows_written'),
    tempBytes: total('temp_bytes'),
    deadlocks: total('deadlocks'),
  };
}

/** The database server's postmaster pid and port from its data folder's postmaster.pid (lines 1 and 4); null when absent. */
export function parsePostmasterPid(text: string): { pid: number; port: number } | null {
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  return Number.isInteger(pid) && pid > 1 && Number.isInteger(port) && port > 0 && port < 65_536 ? { pid, port } : null;
}
