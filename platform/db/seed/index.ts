// Seeding orchestration (CORE). Input: a migrated database and a preset. Output: demo users and
// sensors (every preset), DETECT's default detection rules, INSIGHT's bulk history, and a row in
// seed_state. Deterministic for a given seed. Seeds once: a database whose seed_state is finished
// is left alone.
//
// Demo credentials (docs/platform.md): admin / admin-demo-pass (admin); analyst01..analyst50 /
// analyst-demo-pass (analyst); sensors sensor-01..sensor-20 with API keys
// demo-sensor-key-01..demo-sensor-key-20.
import { hash } from '@node-rs/bcrypt';
import { Faker, en } from '@faker-js/faker';
import type { Db } from '../pool.ts';
import { sha256Hex } from '../../lib/tokens.ts';
import { seedRules } from '../../detection/rules-seed.ts';
import { seedHistory } from './history.ts';

const SEED_PRESETS = ['small', 'representative'] as const;
export type SeedPreset = (typeof SEED_PRESETS)[number];

export type SeedOptions = {
  seed?: number;
  log?: (message: string) => void;
  /** bcrypt cost of the demo password hashes; default 12 (production cost). */
  bcryptCost?: number;
  /** End of the seeded history window (default now). */
  now?: Date;
};

export type SeedResult = { skipped: boolean; preset: SeedPreset; seed: number; users: number; sensors: number; rules: number; seconds: number };

export const DEMO = {
  admin: { username: 'admin', password: 'admin-demo-pass' },
  analystPassword: 'analyst-demo-pass',
  analysts: 50,
  sensors: 20,
} as const;

export const analystName = (n: number): string => `analyst${String(n).padStart(2, '0')}`;
export const sensorName = (n: number): string => `sensor-${String(n).padStart(2, '0')}`;
export const sensorKey = (n: number): string => `demo-sensor-key-${String(n).padStart(2, '0')}`;

/** Users and sensors of every preset, in one transaction; existing names are left alone. */
export async function seedPrincipals(db: Db, options: { seed: number; bcryptCost: number }): Promise<{ users: number; sensors: number }> {
  const faker = new Faker({ locale: [en] });
  faker.seed(options.seed);
  // Hash each distinct password once (bcrypt runs in the libuv threadpool).
  const [adminHash, analystHash] = await Promise.all([
    hash(DEMO.admin.password, options.bcryptCost),
    hash(DEMO.analystPassword, options.bcryptCost),
  ]);
  const usernames: string[] = [DEMO.admin.username];
  const displayNames: string[] = ['Platform Administrator'];
  const roles: string[] = ['admin'];
  const hashes: string[] = [adminHash];
  for (let n = 1; n <= DEMO.analysts; n += 1) {
    usernames.push(analystName(n));
    displayNames.push(faker.person.fullName());
    roles.push('analyst');
    hashes.push(analystHash);
  }
  const sensorNames: string[] = [];
  const sensorHashes: string[] = [];
  for (let n = 1; n <= DEMO.sensors; n += 1) {
    sensorNames.push(sensorName(n));
    sensorHashes.push(sha256Hex(sensorKey(n)));
  }
  return db.transaction(async (client) => {
    const users = await client.query(
      `INSERT INTO users (username, email, display_name, role, password_hash)
       SELECT u, u || '@rampart.test', d, r, h FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS t(u, d, r, h)
       ON CONFLICT DO NOTHING`,
      [usernames, displayNames, roles, hashes],
    );
    const sensors = await client.query(
      `INSERT INTO sensors (name, api_key_hash)
       SELECT n, h FROM unnest($1::text[], $2::text[]) AS t(n, h)
       ON CONFLICT DO NOTHING`,
      [sensorNames, sensorHashes],
    );
    return { users: users.rowCount ?? 0, sensors: sensors.rowCount ?? 0 };
  });
}

/** True when a previous seed finished on this database. */
export async function isSeeded(db: Db): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM seed_state WHERE finished_at IS NOT NULL');
  return rows.length > 0;
}

export async function seed(db: Db, preset: SeedPreset, options: SeedOptions = {}): Promise<SeedResult> {
  const started = Date.now();
  const seedValue = options.seed ?? 1;
  const log = options.log ?? (() => {});
  // Callers from JavaScript (scripts, SEED_PRESET) may pass any string: name it.
  if (!(SEED_PRESETS as readonly string[]).includes(preset)) {
    throw new Error(`unknown seed preset "${preset}"; use small or representative`);
  }
  if (await isSeeded(db)) {
    log('seed: database already seeded, nothing to do');
    return { skipped: true, preset, seed: seedValue, users: 0, sensors: 0, rules: 0, seconds: 0 };
  }
  await db.query(
    `INSERT INTO seed_state (preset, seed) VALUES ($1, $2)
     ON CONFLICT (singleton) DO UPDATE SET preset = EXCLUDED.preset, seed = EXCLUDED.seed, started_at = now()`,
    [preset, seedValue],
  );
  log(`seed(${preset}): users and sensors`);
  const principals = await seedPrincipals(db, { seed: seedValue, bcryptCost: options.bcryptCost ?? 12 });
  log('seed: detection rules');
  const rules = await seedRules(db);
  log(`seed(${preset}): history`);
  await seedHistory(db, preset, { seed: seedValue, now: options.now, log });
  await db.query('UPDATE seed_state SET finished_at = now()');
  const seconds = (Date.now() - started) / 1000;
  log(`seed(${preset}) finished in ${seconds.toFixed(1)} s`);
  return { skipped: false, preset, seed: seedValue, users: principals.users, sensors: principals.sensors, rules, seconds };
}
