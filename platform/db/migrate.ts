// Versioned plain-SQL migrations: platform/db/migrations/NNN_name.sql, applied in file-name order,
// each in its own transaction, recorded in schema_migrations. Safe to run from several processes at
// once (an advisory lock serialises them). Numbering: 001 shared schema, 002-009 CORE, 010-019
// DETECT, 020-029 INSIGHT.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from './pool.ts';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const LOCK_KEY = 7_261_001; // arbitrary, constant: "rampart migrations"

export type Migration = { version: string; name: string; file: string };

export async function listMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await fs.readdir(dir)).filter((file) => file.endsWith('.sql')).sort();
  return files.map((file) => {
    const match = /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(file);
    if (match === null) {
      throw new Error(`migration file ${file} is misnamed; use NNN_name.sql (three digits, lower-case name)`);
    }
    return { version: match[1], name: match[2], file: path.join(dir, file) };
  });
}

/** Applies every migration not yet recorded; returns the versions it applied. */
export async function migrate(db: Db, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await listMigrations(dir);
  const seen = new Set<string>();
  for (const m of migrations) {
    if (seen.has(m.version)) throw new Error(`two migrations share version ${m.version}; renumber one of them`);
    seen.add(m.version);
  }
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    text PRIMARY KEY,
    name       text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const applied: string[] = [];
  for (const migration of migrations) {
    const sql = await fs.readFile(migration.file, 'utf8');
    const didApply = await db.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
      const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [migration.version]);
      if (done.rowCount !== 0) return false;
      await client.query(sql);
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (didApply) applied.push(migration.version);
  }
  return applied;
}
