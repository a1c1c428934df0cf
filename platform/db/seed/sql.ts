// What every step of the history seed shares: its context (one transaction, the seed's salts) and
// the SQL helpers that make rows deterministic (a hash of the row number per column) and keep ids
// and sequences in step.
import type pg from 'pg';
import type { HistoryPreset, HistorySize } from './sizes.ts';

export type SeedContext = {
  client: pg.PoolClient;
  preset: HistoryPreset;
  size: HistorySize;
  seed: number;
  /** End of the seeded window. */
  now: Date;
  /** The salt of random column `k`, derived from the seed. */
  salt: (k: number) => number;
  log: (message: string) => void;
  /** Date.now() when seeding started (progress messages). */
  started: number;
};

/** SQL expression: a deterministic uniform number in [0, 1) for row `expr` and salt `salt`. */
export function unit(expr: string, salt: number): string {
  return `((hashint8extended((${expr})::bigint, ${salt}) & 4294967295)::float8 / 4294967296.0)`;
}

export async function poolTable(client: pg.PoolClient, name: string, values: string[]): Promise<void> {
  await client.query(`CREATE TEMP TABLE ${name} (i integer PRIMARY KEY, v text NOT NULL) ON COMMIT DROP`);
  await client.query(`INSERT INTO ${name} (i, v) SELECT ord::integer, v FROM unnest($1::text[]) WITH ORDINALITY AS t(v, ord)`, [values]);
  await client.query(`ANALYZE ${name}`);
}

export async function nextBase(client: pg.PoolClient, table: string): Promise<number> {
  const { rows } = await client.query<{ base: string }>(
    `SELECT GREATEST((SELECT COALESCE(max(id), 0) FROM ${table}),
                     (SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM ${table}_id_seq)) AS base`);
  return Number(rows[0].base);
}

export async function syncSequence(client: pg.PoolClient, table: string): Promise<void> {
  await client.query(`SELECT setval('${table}_id_seq', GREATEST((SELECT COALESCE(max(id), 0) FROM ${table}), 1))`);
}
