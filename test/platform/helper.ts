// Test helpers for the platform (Fastify style: build the app, `t.after(() => app.close())`, use
// app.inject). Every test file gets its own PostgreSQL: an embedded server on a free port in a temp
// directory (stopped and removed in `after`), or, when DATABASE_URL is set, fresh databases on that
// server (dropped in `after`). Databases are migrated; the small seed is applied once per file.
//
//   const database = await startDatabase();            // optional: the file's default database
//   const app = await buildTestApp(t);                  // small seed, workers on
//   const empty = await buildTestApp(t, { seed: 'none' }); // a fresh, empty, migrated database
//   const token = await login(app, 'admin', 'admin-demo-pass');
import { after } from 'node:test';
import type { TestContext } from 'node:test';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp, loadConfig } from '../../platform/index.ts';
import type { PlatformConfig } from '../../platform/index.ts';
import { createDb } from '../../platform/db/pool.ts';
import type { Db } from '../../platform/db/pool.ts';
import { startEmbeddedDatabase, withDatabase } from '../../platform/db/embedded.ts';
import type { EmbeddedDatabase } from '../../platform/db/embedded.ts';
import { migrate } from '../../platform/db/migrate.ts';
import { seed } from '../../platform/db/seed/index.ts';

/** The body of every error response (platform/schemas.ts errorSchema). */
export type ErrorBody = { error: string; message: string };

export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-0123456789';
/** Demo password hashes in tests use bcrypt cost 4 (the same code path, far less CPU). */
export const TEST_BCRYPT_COST = 4;

/** The PostgreSQL server of this test file. */
type Cluster = {
  /** URL of the server's maintenance database. */
  adminUrl: string;
  /** Present for the embedded server: stop and start it (database-down tests). */
  embedded: EmbeddedDatabase | undefined;
};

export type TestDatabase = {
  /** Connection string of this (migrated) database. */
  url: string;
  /** A pool on it, for asserting on rows; closed in `after`. */
  db: Db;
  /** The embedded server, when not on DATABASE_URL: `stop()` / `start()` simulate an outage. */
  server: EmbeddedDatabase | undefined;
};

let clusterPromise: Promise<Cluster> | undefined;
const cleanups: Array<() => Promise<void>> = [];
let counter = 0;

after(async () => {
  // Reverse order: pools and databases first, then the server.
  for (const cleanup of cleanups.reverse()) {
    await cleanup().catch(() => undefined);
  }
});

function startCluster(): Promise<Cluster> {
  clusterPromise ??= (async () => {
    const external = process.env.DATABASE_URL;
    if (external !== undefined && external !== '') return { adminUrl: external, embedded: undefined };
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rampart-test-pg-'));
    await fs.chmod(dir, 0o755);
    const embedded = await startEmbeddedDatabase({ dataDir: path.join(dir, 'data'), durable: false, ownProcessGroup: false });
    cleanups.push(async () => {
      await embedded.stop();
      await fs.rm(dir, { recursive: true, force: true });
    });
    // A runner's SIGTERM (or SIGINT) reaches only this process: stop the database rather than leave
    // it behind. (A terminal's Ctrl-C reaches the database too: it shares our process group.)
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.once(signal, () => {
        void embedded.stop().finally(() => fs.rm(dir, { recursive: true, force: true })).finally(() => process.exit(130));
      });
    }
    return { adminUrl: embedded.url, embedded };
  })();
  return clusterPromise;
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new, migrated, empty database on this file's server. */
export async function freshDatabase(): Promise<TestDatabase> {
  const cluster = await startCluster();
  counter += 1;
  const name = `rampart_test_${process.pid}_${counter}_${randomBytes(3).toString('hex')}`;
  await adminQuery(cluster.adminUrl, `CREATE DATABASE ${name}`);
  const url = withDatabase(cluster.adminUrl, name);
  const db = createDb({ connectionString: url, max: 4 });
  cleanups.push(async () => {
    await db.close();
    if (cluster.embedded === undefined) await adminQuery(cluster.adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  await migrate(db);
  return { url, db, server: cluster.embedded };
}

let seededPromise: Promise<TestDatabase> | undefined;

/** The file's shared database, migrated and seeded with the `small` preset (once per file). */
export function startDatabase(): Promise<TestDatabase> {
  seededPromise ??= (async () => {
    const database = await freshDatabase();
    await seed(database.db, 'small', { seed: 1, bcryptCost: TEST_BCRYPT_COST });
    return database;
  })();
  return seededPromise;
}

/** Config for tests: fixed JWT secret, silent logs, cost-4 bcrypt, no seeding by the server. */
export function testConfig(databaseUrl: string, overrides: Partial<PlatformConfig> = {}): PlatformConfig {
  const base = loadConfig({ JWT_SECRET: TEST_JWT_SECRET, BCRYPT_COST: String(TEST_BCRYPT_COST), LOG_LEVEL: 'silent', SEED_PRESET: 'none', DATABASE_URL: databaseUrl });
  return { ...base, ...overrides, databaseUrl };
}

export type TestAppOptions = {
  /** 'small' (default): the file's shared seeded database; 'none': a fresh empty one. */
  seed?: 'small' | 'none';
  /** Use this database instead. */
  database?: TestDatabase;
  config?: Partial<PlatformConfig>;
  /** Background workers (detection, reports); default on. */
  workers?: boolean;
};

export async function buildTestApp(t: TestContext, options: TestAppOptions = {}): Promise<FastifyInstance> {
  const database = options.database ?? (options.seed === 'none' ? await freshDatabase() : await startDatabase());
  const app = await buildApp(testConfig(database.url, options.config), { logger: false, workers: options.workers });
  t.after(() => app.close());
  await app.ready();
  return app;
}

/** Logs in through the API and returns the access token (throws when login fails). */
export async function login(app: FastifyInstance, username: string, password: string): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  if (response.statusCode !== 200) throw new Error(`login as ${username} failed: ${response.statusCode} ${response.body}`);
  return response.json<{ accessToken: string }>().accessToken;
}

export const bearer = (token: string): { authorization: string } => ({ authorization: `Bearer ${token}` });
