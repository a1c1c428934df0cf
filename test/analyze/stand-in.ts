// A small stand-in platform with one planted bottleneck per route, on a real PostgreSQL, for
// analyze's tests and bench:analyze (test/analyze/planted.ts starts it as a child process).
//
//   GET /lookup?sku=N   a lookup on an unindexed column of a ~200k-row table (a missing index)
//   GET /orders/:id     one query for the order's lines, then one query per line (an N+1)
//   GET /sleep          SELECT pg_sleep(0.1) through a pool of POOL_MAX connections (a saturated pool)
//   GET /hash           a synchronous pbkdf2 on the event loop (a CPU-bound route)
//   GET /ping           nothing at all (the generator-bound run's target)
//   GET /metrics        prom-client's process metrics and the pool gauges the platform exposes
//                       (rampart_db_pool_total/in_use/waiting), which src/sample reads
//
// Env: DATABASE_URL (prepared by prepareStandInDatabase), POOL_MAX (default 10). Listens on a free
// port on 127.0.0.1 and prints `listening <port>` on stdout.
import { pbkdf2Sync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import client from 'prom-client';

export const LINES_PER_ORDER = 20;
export const ITEMS = 200_000;
/** pbkdf2 iterations of GET /hash: ~40 ms of CPU here, so a core of it takes only ~25 requests a second */
export const HASH_ITERATIONS = 240_000;

/** Tables and rows for the routes (idempotent per database): items (sku unindexed), products, order_lines. */
export async function prepareStandInDatabase(url: string): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    await db.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await db.query(`CREATE TABLE items (id bigint PRIMARY KEY, sku text NOT NULL, price numeric NOT NULL, note text NOT NULL);
      INSERT INTO items SELECT g, 'sku-' || g, g % 1000, repeat('x', 40) FROM generate_series(1, ${String(ITEMS)}) g;
      CREATE TABLE products (id integer PRIMARY KEY, name text NOT NULL, price numeric NOT NULL);
      INSERT INTO products SELECT g, 'product ' || g, g % 100 FROM generate_series(1, 2000) g;
      CREATE TABLE order_lines (order_id integer NOT NULL, line integer NOT NULL, product_id integer NOT NULL, PRIMARY KEY (order_id, line));
      INSERT INTO order_lines SELECT o, l, 1 + (o * 31 + l * 7) % 2000 FROM generate_series(1, 500) o, generate_series(1, ${String(LINES_PER_ORDER)}) l;
      ANALYZE items; ANALYZE products; ANALYZE order_lines;`);
  } finally {
    await db.end();
  }
}

async function serve(): Promise<void> {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.POOL_MAX ?? '10') });
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const gauge = (name: string, help: string, value: () => number): void => {
    new client.Gauge({ name, help, registers: [registry], collect() { this.set(value()); } });
  };
  gauge('rampart_db_pool_total', 'connections open', () => pool.totalCount);
  gauge('rampart_db_pool_in_use', 'connections checked out', () => pool.totalCount - pool.idleCount);
  gauge('rampart_db_pool_waiting', 'requests waiting for a connection', () => pool.waitingCount);

  const routes: Record<string, (url: URL) => Promise<unknown>> = {
    '/lookup': async (url) => (await pool.query<{ id: string; price: string }>('SELECT id, price FROM items WHERE sku = $1', [`sku-${url.searchParams.get('sku') ?? '1'}`])).rows,
    '/orders': async (url) => {
      const id = Number(url.pathname.split('/')[2] ?? '1');
      const lines = await pool.query<{ product_id: number }>('SELECT product_id FROM order_lines WHERE order_id = $1 ORDER BY line', [id]);
      const out: { name: string; price: string }[] = [];
      for (const line of lines.rows) out.push(...(await pool.query<{ name: string; price: string }>('SELECT name, price FROM products WHERE id = $1', [line.product_id])).rows);
      return out;
    },
    '/sleep': async () => (await pool.query('SELECT pg_sleep(0.1)')).rowCount,
    '/hash': () => Promise.resolve(pbkdf2Sync('password', 'salt', HASH_ITERATIONS, 32, 'sha256').toString('hex')),
    '/ping': () => Promise.resolve('pong'),
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/metrics') {
      void registry.metrics().then((text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      });
      return;
    }
    const route = routes[`/${url.pathname.split('/')[1]}`] as ((url: URL) => Promise<unknown>) | undefined;
    if (route === undefined) {
      res.writeHead(404).end();
      return;
    }
    route(url).then((body) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    }, (error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(error instanceof Error ? error.message : String(error));
    });
  });
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.stdout.write(`listening ${String((server.address() as AddressInfo).port)}\n`);
  const stop = (): void => {
    server.close();
    server.closeAllConnections();
    void pool.end().finally(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

if (import.meta.main) await serve();
