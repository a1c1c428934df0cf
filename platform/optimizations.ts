// The platform's switchable optimisations (docs/optimizations.md): their names, the OPTIMIZATIONS
// setting's parser, and the optional schema (indexes) each needs. The platform as first written is
// OPTIMIZATIONS=none (the default), so the same code and data directory serve "as first written" and
// "optimised" side by side: at start-up applyOptionalSchema creates the indexes and tables of the
// optimisations that are on and drops those of the ones that are off (so nothing goes stale while an
// optimisation is off), each in a transaction, so an interrupted build leaves nothing half-made; an
// advisory lock serialises processes starting at once.
import type { Db } from './db/pool.ts';

export const OPTIMIZATIONS = ['auth-indexes', 'set-detection', 'correlation-window', 'dashboard-counter', 'aggregate-cache'] as const;
export type Optimization = (typeof OPTIMIZATIONS)[number];

/** Parses OPTIMIZATIONS: `none` (or unset), `all`, or comma-separated names; null names the unknown entry. */
export function parseOptimizations(raw: string | undefined): { ok: true; value: ReadonlySet<Optimization> } | { ok: false; unknown: string } {
  const text = (raw ?? '').trim();
  if (text === '' || text === 'none') return { ok: true, value: new Set() };
  if (text === 'all') return { ok: true, value: new Set(OPTIMIZATIONS) };
  const chosen = new Set<Optimization>();
  for (const part of text.split(',')) {
    const name = part.trim();
    if (name === '') continue;
    if (!(OPTIMIZATIONS as readonly string[]).includes(name)) return { ok: false, unknown: name };
    chosen.add(name as Optimization);
  }
  return { ok: true, value: chosen };
}

/** A schema object an optimisation adds to the first schema: created (with any backfill) when on, dropped when off. */
type OptionalObject = { name: string; kind: 'INDEX' | 'TABLE'; create: readonly string[] };

const index = (name: string, definition: string): OptionalObject => ({ name, kind: 'INDEX', create: [`CREATE INDEX ${name} ${definition}`] });

/** The objects each optimisation adds (none for the code-only optimisations). */
const OPTIONAL_OBJECTS: Record<Optimization, readonly OptionalObject[]> = {
  // Impossible travel looks up a user's successful sign-ins around a time; brute force a source's
  // failures in a window. Partial: only auth events of that outcome (a third of the table at most).
  'auth-indexes': [
    index('events_auth_success_user_idx', "ON events (username, occurred_at) WHERE type = 'auth' AND outcome = 'success'"),
    index('events_auth_failure_src_idx', "ON events (src_ip, occurred_at) WHERE type = 'auth' AND outcome = 'failure'"),
  ],
  'set-detection': [],
  // Correlation looks up recent alerts of one source IP (or username) for every new alert.
  'correlation-window': [
    index('alerts_src_ip_created_idx', 'ON alerts (src_ip, created_at)'),
    index('alerts_username_created_idx', 'ON alerts (username, created_at)'),
  ],
  // Events ingested per UTC minute with their id range, maintained by ingestion in its own
  // transaction; the dashboard's eventsLast24h sums it (events repository). Backfilled from the
  // events table while ingestion waits (SHARE lock), so it starts exact.
  'dashboard-counter': [{
    name: 'event_ingest_minutes',
    kind: 'TABLE',
    create: [
      'LOCK TABLE events IN SHARE MODE',
      'CREATE TABLE event_ingest_minutes (minute timestamptz PRIMARY KEY, n bigint NOT NULL, min_id bigint NOT NULL, max_id bigint NOT NULL)',
      "INSERT INTO event_ingest_minutes SELECT date_trunc('minute', ingested_at, 'UTC'), count(*), min(id), max(id) FROM events GROUP BY 1",
    ],
  }],
  'aggregate-cache': [],
};

const LOCK_KEY = 7_261_002; // arbitrary, constant: "rampart optional schema"

export type SchemaChange = { optimization: Optimization; object: string; action: 'created' | 'dropped'; ms: number };

/** Creates the objects of the optimisations that are on, drops those of the ones that are off. */
export async function applyOptionalSchema(db: Db, on: ReadonlySet<Optimization>): Promise<SchemaChange[]> {
  const changes: SchemaChange[] = [];
  for (const optimization of OPTIMIZATIONS) {
    for (const object of OPTIONAL_OBJECTS[optimization]) {
      const wanted = on.has(optimization);
      const started = Date.now();
      const changed = await db.transaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
        const { rows } = await client.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [object.name]);
        if (rows[0].present === wanted) return false;
        for (const statement of wanted ? object.create : [`DROP ${object.kind} ${object.name}`]) await client.query(statement);
        return true;
      });
      if (changed) changes.push({ optimization, object: object.name, action: wanted ? 'created' : 'dropped', ms: Date.now() - started });
    }
  }
  return changes;
}
