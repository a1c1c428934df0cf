// The pool's promise under a dying connection: a server that ends a checked-out connection between
// two statements of a transaction makes that transaction fail as "unavailable" and the connection
// be discarded. It never crashes the process with an unhandled 'error' event (pg-pool itself only
// guards idle clients), and the next statement gets a fresh connection.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDb, DatabaseUnavailableError } from '../../../platform/db/pool.ts';
import { freshDatabase } from '../helper.ts';

test('a connection ended between two statements of a transaction fails it as unavailable, without an uncaught error', async (t) => {
  const database = await freshDatabase();
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown): void => {
    uncaught.push(error);
  };
  process.on('uncaughtException', onUncaught);
  t.after(() => process.off('uncaughtException', onUncaught));
  const reported: Error[] = [];
  const db = createDb({ connectionString: database.url, max: 2, onError: (error) => reported.push(error) });
  t.after(() => db.close());

  await assert.rejects(
    db.transaction(async (client) => {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await database.db.query('SELECT pg_terminate_backend($1)', [rows[0].pid]);
      await sleep(300); // the server's notice arrives while the client is checked out and idle
      await client.query('SELECT 1');
    }),
    DatabaseUnavailableError,
  );
  assert.deepEqual(uncaught, [], 'no uncaught error event');
  assert.ok(reported.length >= 1, 'the lost connection is reported through onError');
  const again = await db.query<{ one: number }>('SELECT 1 AS one');
  assert.equal(again.rows[0].one, 1, 'the next statement gets a working connection');
});
