// Seeding orchestration (CORE): demo principals with known credentials, rules and history from
// their owners, once per database (seed_state), deterministic display names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { verify } from '@node-rs/bcrypt';
import { freshDatabase, startDatabase, TEST_BCRYPT_COST } from '../helper.ts';
import { isSeeded, seed, seedPrincipals } from '../../../platform/db/seed/index.ts';
import { sha256Hex } from '../../../platform/lib/tokens.ts';

test('the small seed creates the demo admin, 50 analysts and 20 sensors with the documented credentials', async () => {
  const { db } = await startDatabase();
  const users = await db.query<{ username: string; role: string; password_hash: string; email: string }>('SELECT username, role, password_hash, email FROM users ORDER BY id LIMIT 51');
  assert.equal(users.rows[0].username, 'admin');
  assert.equal(users.rows[0].role, 'admin');
  assert.ok(await verify('admin-demo-pass', users.rows[0].password_hash));
  const analysts = users.rows.slice(1);
  assert.deepEqual(analysts.map((u) => u.username), Array.from({ length: 50 }, (_, i) => `analyst${String(i + 1).padStart(2, '0')}`));
  assert.ok(analysts.every((u) => u.role === 'analyst'));
  assert.equal(new Set(analysts.map((u) => u.password_hash)).size, 1, 'each distinct password is hashed once');
  assert.ok(await verify('analyst-demo-pass', analysts[0].password_hash));
  const sensors = await db.query<{ name: string; api_key_hash: string }>("SELECT name, api_key_hash FROM sensors WHERE name LIKE 'sensor-%' ORDER BY name");
  assert.equal(sensors.rowCount, 20);
  assert.equal(sensors.rows[0].name, 'sensor-01');
  assert.equal(sensors.rows[19].api_key_hash, sha256Hex('demo-sensor-key-20'));
  const rules = await db.query('SELECT 1 FROM rules');
  assert.ok((rules.rowCount ?? 0) > 0, 'default detection rules are seeded');
  const events = await db.query('SELECT 1 FROM events LIMIT 1');
  assert.equal(events.rowCount, 1, 'history is seeded');
  assert.equal(await isSeeded(db), true);
});

test('seeding a seeded database does nothing', async () => {
  const { db } = await startDatabase();
  const before = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
  const result = await seed(db, 'small', { bcryptCost: TEST_BCRYPT_COST });
  assert.equal(result.skipped, true);
  const afterCount = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
  assert.equal(afterCount.rows[0].n, before.rows[0].n);
});

test('principals are deterministic for a seed and do not overwrite existing names', async () => {
  const first = await freshDatabase();
  const second = await freshDatabase();
  await seedPrincipals(first.db, { seed: 7, bcryptCost: TEST_BCRYPT_COST });
  await seedPrincipals(second.db, { seed: 7, bcryptCost: TEST_BCRYPT_COST });
  const names = async (db: typeof first.db) => (await db.query<{ d: string }>('SELECT display_name AS d FROM users ORDER BY id')).rows.map((r) => r.d);
  assert.deepEqual(await names(first.db), await names(second.db));
  const again = await seedPrincipals(first.db, { seed: 8, bcryptCost: TEST_BCRYPT_COST });
  assert.deepEqual(again, { users: 0, sensors: 0 });
  await assert.rejects(seed(first.db, 'huge' as 'small'), /unknown seed preset "huge"; use small or representative/);
});
