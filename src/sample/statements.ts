// pg_stat_statements at the start and the end of a run, and their delta: each statement's calls,
// time, rows and blocks within the run (statements.json). The top statements by total time are
// explained with EXPLAIN (FORMAT JSON, GENERIC_PLAN) on the sampler's read-only connection; one that
// cannot be explained gets `error`, never fails the run. The sampler's own statements (tagged
// SAMPLER_TAG, ./database.ts) are left out.
import type { StatementDelta, StatementPlan, StatementsFile } from '../core/bundle/types.ts';
import { SAMPLER_NAME, type SamplerConnection } from './database.ts';

/** One statement's running totals, summed over the users and nesting levels pg_stat_statements splits it by. */
export interface StatementTotals {
  queryId: string;
  query: string;
  calls: number;
  totalExecMs: number;
  rows: number;
  sharedBlksHit: number;
  sharedBlksRead: number;
  tempBlksWritten: number;
}

export interface StatementsSnapshot {
  at: number;
  statements: Map<string, StatementTotals>;
}

const SNAPSHOT = `SELECT queryid::text AS id, min(query) AS query, sum(calls) AS calls, sum(total_exec_time) AS total,
  sum(rows) AS rows, sum(shared_blks_hit) AS hit, sum(shared_blks_read) AS read, sum(temp_blks_written) AS temp
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid IS NOT NULL
  AND query NOT LIKE '%${SAMPLER_NAME}%'
GROUP BY queryid`;

interface SnapshotRow { id: string; query: string; calls: string; total: number | string; rows: string; hit: string; read: string; temp: string }

export async function snapshotStatements(connection: SamplerConnection): Promise<StatementsSnapshot> {
  const rows = await connection.query<SnapshotRow>(SNAPSHOT);
  const statements = new Map<string, StatementTotals>();
  for (const r of rows) {
    statements.set(r.id, {
      queryId: r.id, query: r.query, calls: Number(r.calls), totalExecMs: Number(r.total), rows: Number(r.rows),
      sharedBlksHit: Number(r.hit), sharedBlksRead: Number(r.read), tempBlksWritten: Number(r.temp),
    });
  }
  return { at: Date.now(), statements };
}

const round = (n: number, digits = 3): number => Number(n.toFixed(digits));

/**
 * end - start per statement, calls > 0, by total time descending, at most `cap` (pure). A statement
 * whose counts went down (pg_stat_statements was reset, or it was evicted and came back) counts from zero.
 */
export function statementsDelta(start: StatementsSnapshot, end: StatementsSnapshot, cap = 200): Omit<StatementsFile, 'plans'> {
  const out: StatementDelta[] = [];
  for (const e of end.statements.values()) {
    const before = start.statements.get(e.queryId);
    const s = before === undefined || before.calls > e.calls ? null : before;
    const minus = (pick: (t: StatementTotals) => number): number => Math.max(0, pick(e) - (s === null ? 0 : pick(s)));
    const calls = minus((t) => t.calls);
    if (calls === 0) continue;
    const totalExecMs = minus((t) => t.totalExecMs);
    out.push({
      queryId: e.queryId, query: e.query, calls, totalExecMs: round(totalExecMs), meanExecMs: round(totalExecMs / calls, 4),
      rows: minus((t) => t.rows), sharedBlksHit: minus((t) => t.sharedBlksHit), sharedBlksRead: minus((t) => t.sharedBlksRead),
      tempBlksWritten: minus((t) => t.tempBlksWritten),
    });
  }
  out.sort((a, b) => b.totalExecMs - a.totalExecMs || b.calls - a.calls || a.queryId.localeCompare(b.queryId));
  return {
    schema: 'rampart.statements/1',
    source: 'pg_stat_statements',
    window: { start: start.at, end: end.at },
    totalExecMs: round(out.reduce((n, s) => n + s.totalExecMs, 0)),
    statements: out.slice(0, cap),
  };
}

/**
 * A typed literal (`interval '1 day'`) becomes `interval $2` in pg_stat_statements' text, and
 * `extract(epoch FROM x)` becomes `extract($8 FROM x)`; neither parses. Written as a cast
 * (`$2::interval`) and as `date_part($8, x)` they plan the same (pure).
 */
export const explainableText = (query: string): string =>
  query
    .replace(/\b(interval|timestamptz|timestamp|date|time|numeric|inet|cidr|uuid|jsonb|json)\s+(\$\d+)/gi, '$2::$1')
    // extract(epoch FROM x) is stored as extract($8 FROM x); date_part($8, x) is the same call
    .replace(/\bextract\(\s*(\$\d+)\s+FROM\s+/gi, 'date_part($1, ');

const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0];

/**
 * EXPLAIN (FORMAT JSON, GENERIC_PLAN) of one normalised statement ($1 placeholders stay). Only
 * planned, never executed; the connection is read-only, and a text holding ';' (more than one
 * statement) is not sent at all.
 */
export async function explainStatement(connection: SamplerConnection, statement: StatementDelta): Promise<StatementPlan> {
  if (statement.query.includes(';')) return { queryId: statement.queryId, plan: null, error: 'not explained: the text holds more than one statement' };
  try {
    const rows = await connection.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON, GENERIC_PLAN) ${explainableText(statement.query)}`);
    const document = rows[0]?.['QUERY PLAN'];
    const first = Array.isArray(document) ? (document[0] as { Plan?: unknown } | undefined) : undefined;
    if (first?.Plan === undefined) return { queryId: statement.queryId, plan: null, error: 'EXPLAIN returned no plan' };
    return { queryId: statement.queryId, plan: first.Plan };
  } catch (error) {
    return { queryId: statement.queryId, plan: null, error: firstLine(error) };
  }
}

/** Plans of the first `top` statements (already sorted by total time), one after the other, until `deadline`. */
export async function explainTop(connection: SamplerConnection, statements: readonly StatementDelta[], top: number, deadline: number): Promise<StatementPlan[]> {
  const plans: StatementPlan[] = [];
  for (const statement of statements.slice(0, top)) {
    if (Date.now() > deadline) {
      plans.push({ queryId: statement.queryId, plan: null, error: 'not explained: the sampler ran out of time at the end of the run' });
      continue;
    }
    plans.push(await explainStatement(connection, statement));
  }
  return plans;
}
