// Database errors answered by SQLSTATE class, through the real error handler on the real database:
// statements that fail in PostgreSQL itself (data exceptions, integrity violations, program limits,
// a cancelled statement, a terminated connection) reach a route of the app, and each answer is the
// class's status with a one-line message that does not quote SQL or the server's text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../platform/app.ts';
import { sqlStateAnswer } from '../../platform/plugins/app/error-handler.ts';
import { startDatabase, testConfig } from './helper.ts';
import type { ErrorBody, TestDatabase } from './helper.ts';

/** The app with one extra public route that runs the statement it is given (test only). */
async function appWithStatementRoute(t: { after(fn: () => Promise<void>): void }, database: TestDatabase): Promise<FastifyInstance> {
  const app = await buildApp(testConfig(database.url), { logger: false, workers: false });
  t.after(() => app.close());
  app.post('/statement', { config: { public: true } }, async (request) => {
    const { sql } = request.body as { sql: string };
    await app.db.query(sql);
    return { ran: true };
  });
  await app.ready();
  return app;
}

/** Statements that fail in PostgreSQL, the SQLSTATE each raises, and the status the API must answer. */
const FAILING: ReadonlyArray<[string, string, number]> = [
  ["SELECT 'x'::integer", '22P02', 400],
  ['SELECT 2147483648::integer', '22003', 400],
  ["SELECT 'not a date'::date", '22007', 400],
  ['SELECT make_date(2026, 13, 1)', '22008', 400],
  ["SELECT '+275760-09-13T00:00:00.000Z'::timestamptz", '22009', 400],
  ['SELECT 1 / 0', '22012', 400],
  ["SELECT convert_from('\\xff'::bytea, 'UTF8')", '22021', 400],
  ["SELECT ('[\"\\u0000\"]'::jsonb) ->> 0", '22P05', 400],
  ["SELECT 'a' ~ '('", '2201B', 400],
  ['SELECT ln(0)', '2201E', 400],
  ['SELECT generate_series(1, 10, 0)', '22023', 400],
  ["SELECT '{\"a\": }'::jsonb", '22P02', 400],
  ["INSERT INTO sensors (name, api_key_hash) VALUES ('sensor-01', 'not-a-real-hash')", '23505', 409],
  ['INSERT INTO alert_comments (alert_id, author_id, body) VALUES (999999999, 1, \'x\')', '23503', 409],
  ["INSERT INTO users (username, email, display_name, role, password_hash) VALUES ('u-check', 'u@x', 'u', 'root', 'h')", '23514', 400],
  ["INSERT INTO sensors (name, api_key_hash) VALUES (NULL, 'h')", '23502', 400],
  ['SELECT chr(0)', '54000', 400],
];

test('every class-22, 23 and 54 failure of a real statement answers 4xx with a one-line message and no SQL', async (t) => {
  const database = await startDatabase();
  const app = await appWithStatementRoute(t, database);
  for (const [sql, sqlState, status] of FAILING) {
    // The SQLSTATE the statement really raises, straight from the server.
    const raised = await database.db.query(sql).then(() => undefined, (error: unknown) => (error instanceof pg.DatabaseError ? error.code : String(error)));
    assert.equal(raised, sqlState, sql);
    const response = await app.inject({ method: 'POST', url: '/statement', payload: { sql } });
    assert.equal(response.statusCode, status, `${sql}: ${response.body}`);
    const body = response.json<ErrorBody>();
    assert.equal(body.error, status === 409 ? 'conflict' : 'validation', sql);
    assert.doesNotMatch(body.message, /\n|select|insert|syntax|relation|violates|duplicate key|postgres|invalid input/i, `${sql}: ${body.message}`);
  }
});

test('a statement cancelled or a connection terminated by the server answers 503, never 500', async (t) => {
  const database = await startDatabase();
  const app = await appWithStatementRoute(t, database);
  for (const [stop, sqlState] of [['pg_cancel_backend', '57014'], ['pg_terminate_backend', '57P01']] as const) {
    const marker = `probe_${sqlState}`;
    const answer = app.inject({ method: 'POST', url: '/statement', payload: { sql: `SELECT pg_sleep(10) AS ${marker}` } });
    let stopped = 0;
    for (let i = 0; i < 100 && stopped === 0; i++) {
      await sleep(50);
      const { rowCount } = await database.db.query(`SELECT ${stop}(pid) FROM pg_stat_activity WHERE query LIKE $1 AND pid <> pg_backend_pid()`, [`%AS ${marker}%`]);
      stopped = rowCount ?? 0;
    }
    assert.equal(stopped, 1, `${stop} found the running statement`);
    const response = await answer;
    assert.equal(response.statusCode, 503, `${stop}: ${response.body}`);
    assert.equal(response.json<ErrorBody>().error, 'unavailable');
    assert.equal(response.headers['retry-after'], '5');
  }
  const after = await app.inject({ method: 'POST', url: '/statement', payload: { sql: 'SELECT 1' } });
  assert.equal(after.statusCode, 200, 'the pool replaced the terminated connection');
});

test('the mapping is by class: any code of 22 -> 400, 23 -> 409 (23502/23514 400), 54 -> 400, 08/53/57/40 -> 503, others 500', () => {
  const cases: ReadonlyArray<[string, number]> = [
    ['22000', 400], ['22001', 400], ['22004', 400], ['22005', 400], ['22009', 400], ['2200B', 400], ['22019', 400],
    ['22025', 400], ['2203A', 400], ['22P06', 400], ['22021', 400], ['22P05', 400],
    ['23000', 409], ['23001', 409], ['23503', 409], ['23505', 409], ['23P01', 409], ['23502', 400], ['23514', 400],
    ['54000', 400], ['54001', 400], ['54011', 400], ['54023', 400],
    ['08000', 503], ['08003', 503], ['08006', 503], ['08P01', 503], ['53000', 503], ['53100', 503], ['53200', 503], ['53300', 503],
    ['57000', 503], ['57014', 503], ['57P01', 503], ['57P02', 503], ['57P03', 503], ['40001', 503], ['40P01', 503], ['55P03', 503], ['25006', 503],
    ['42601', 500], ['42P01', 500], ['XX000', 500], ['P0001', 500], ['0A000', 500],
  ];
  for (const [code, status] of cases) {
    const answer = sqlStateAnswer(code);
    assert.equal(answer.statusCode, status, code);
    assert.ok(!answer.body.message.includes('\n'), code);
    if (status === 503) assert.equal(answer.retryAfterSeconds, 5, code);
    if (status === 500) assert.deepEqual(answer.body, { error: 'internal', message: 'internal error' }, code);
  }
  assert.equal(sqlStateAnswer('23505', 'users_username_key').body.message, 'already exists (users_username_key)');
});
