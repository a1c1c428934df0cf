// npm run bench:inject-latency — INJECT_LATENCY slows exactly the endpoint it names, by the fraction
// it names, measured in one run.
//
// Two apps over one embedded PostgreSQL (demo principals only): one plain, one with
// INJECT_LATENCY on two endpoints: GET /api/v1/auth/me (sub-millisecond) and GET /api/v1/admin/users
// (a 200-row page, a few ms). Requests alternate between the apps (app.inject, so no network); a
// control endpoint (GET /api/v1/admin/users/:id) is not named and must not change.
// Expected: ratio ~ 1 + fraction on the named endpoints (slightly below: the fraction is of the
// handling time up to onSend), 1.00 on the control, also on sub-millisecond endpoints.
//
// Options: --requests N per app and endpoint (default 300)  --fraction F (default 0.5)
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { buildApp, loadConfig } from '../platform/index.ts';
import { createDb } from '../platform/db/pool.ts';
import { startEmbeddedDatabase } from '../platform/db/embedded.ts';
import { migrate } from '../platform/db/migrate.ts';
import { seedPrincipals } from '../platform/db/seed/index.ts';

const { values } = parseArgs({ options: { requests: { type: 'string', default: '300' }, fraction: { type: 'string', default: '0.5' } } });
const requests = Number(values.requests);
const fraction = Number(values.fraction);
if (!Number.isInteger(requests) || requests < 10 || !(fraction > 0 && fraction <= 10)) {
  process.stderr.write('bench:inject-latency: --requests must be an integer >= 10 and --fraction a number in (0, 10]\n');
  process.exit(2);
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'rampart-bench-inject-'));
await fs.chmod(dir, 0o755);
const server = await startEmbeddedDatabase({ dataDir: path.join(dir, 'data'), durable: false });
const apps: FastifyInstance[] = [];
try {
  const db = createDb({ connectionString: server.url, max: 2 });
  await migrate(db);
  await seedPrincipals(db, { seed: 1, bcryptCost: 4 });
  await db.close();
  const env = { JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0123', LOG_LEVEL: 'silent', DATABASE_URL: server.url, BCRYPT_COST: '4' };
  const plain = await buildApp(loadConfig(env), { logger: false, workers: false });
  const slowed = await buildApp(loadConfig({ ...env, INJECT_LATENCY: `GET /api/v1/auth/me=${fraction},GET /api/v1/admin/users=${fraction}` }), { logger: false, workers: false });
  apps.push(plain, slowed);
  await Promise.all(apps.map((app) => app.ready()));
  const login = await plain.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'admin-demo-pass' } });
  const headers = { authorization: `Bearer ${login.json<{ accessToken: string }>().accessToken}` };
  const endpoints = [
    { key: 'GET /api/v1/auth/me', url: '/api/v1/auth/me' },
    { key: 'GET /api/v1/admin/users', url: '/api/v1/admin/users?limit=200' },
    { key: 'GET /api/v1/admin/users/:id (control)', url: '/api/v1/admin/users/2' },
  ];
  const samples = new Map<string, number[]>();
  for (let i = 0; i < requests + 20; i += 1) {
    for (const endpoint of endpoints) {
      for (const [label, app] of (i % 2 === 0 ? [['plain', plain], ['slowed', slowed]] : [['slowed', slowed], ['plain', plain]]) as Array<[string, FastifyInstance]>) {
        const started = process.hrtime.bigint();
        const response = await app.inject({ method: 'GET', url: endpoint.url, headers });
        const micros = Number(process.hrtime.bigint() - started) / 1000;
        if (response.statusCode !== 200) throw new Error(`${endpoint.key} answered ${response.statusCode}`);
        if (i < 20) continue; // warm-up
        const key = `${endpoint.key}|${label}`;
        samples.set(key, [...(samples.get(key) ?? []), micros]);
      }
    }
  }
  const rows = endpoints.map((endpoint) => {
    const base = median(samples.get(`${endpoint.key}|plain`) ?? []);
    const slow = median(samples.get(`${endpoint.key}|slowed`) ?? []);
    return `| ${endpoint.key} | ${(base / 1000).toFixed(2)} | ${(slow / 1000).toFixed(2)} | ${(slow / base).toFixed(2)} |`;
  });
  process.stdout.write([
    `INJECT_LATENCY="GET /api/v1/auth/me=${fraction},GET /api/v1/admin/users=${fraction}", ${requests} requests per app and endpoint, medians`,
    '',
    '| endpoint | plain (ms) | with INJECT_LATENCY (ms) | ratio slowed/plain |',
    '|---|---|---|---|',
    ...rows,
    '',
    `expected: ${(1 + fraction).toFixed(2)} for the named endpoints (slightly less: serialisation is not slowed), 1.00 for the control`,
    '',
  ].join('\n'));
} finally {
  for (const app of apps) await app.close();
  await server.stop();
  await fs.rm(dir, { recursive: true, force: true });
}
