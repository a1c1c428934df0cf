// Migrations: applied in order, once, recorded; misnamed files are refused with a clear message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freshDatabase } from '../helper.ts';
import { listMigrations, migrate } from '../../../platform/db/migrate.ts';

test('a migrated database has every migration recorded once; running again applies nothing', async () => {
  const { db } = await freshDatabase();
  const files = await listMigrations();
  const recorded = await db.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
  assert.deepEqual(recorded.rows.map((r) => r.version), files.map((f) => f.version));
  assert.deepEqual(await migrate(db), []);
  const tables = await db.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
  const names = tables.rows.map((r) => r.table_name);
  for (const table of ['users', 'refresh_tokens', 'sensors', 'events', 'alerts', 'incidents', 'indicators', 'reports', 'audit_log', 'seed_state']) {
    assert.ok(names.includes(table), `${table} exists`);
  }
  const extension = await db.query("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'");
  assert.equal(extension.rowCount, 1);
  const statements = await db.query('SELECT count(*) FROM pg_stat_statements');
  assert.equal(statements.rowCount, 1, 'pg_stat_statements is preloaded and answers');
});

test('a failing migration rolls back and is not recorded; misnamed files are refused', async (t) => {
  const { db } = await freshDatabase();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rampart-migrations-'));
  t.after(() => fs.rm(dir, { recursive: true, force: true }));
  await fs.writeFile(path.join(dir, '100_good.sql'), 'CREATE TABLE migration_probe (id int);');
  await fs.writeFile(path.join(dir, '101_bad.sql'), 'CREATE TABLE half_done (id int); SELECT * FROM no_such_table;');
  await assert.rejects(migrate(db, dir), (error: unknown) => (error as { code?: string }).code === '42P01');
  const recorded = await db.query("SELECT version FROM schema_migrations WHERE version IN ('100', '101')");
  assert.deepEqual(recorded.rows, [{ version: '100' }]);
  const halfDone = await db.query("SELECT 1 FROM information_schema.tables WHERE table_name = 'half_done'");
  assert.equal(halfDone.rowCount, 0, 'the failed migration left nothing behind');

  await fs.writeFile(path.join(dir, 'cleanup.sql'), '');
  await assert.rejects(listMigrations(dir), /migration file cleanup\.sql is misnamed; use NNN_name\.sql/);
});
