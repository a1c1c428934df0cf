// platform/lib/sql.ts: the WHERE builder numbers its parameters in order, skips undefined filters,
// and writes the keyset condition; LIKE escaping matches free text literally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cursorTime, escapeLike, Filter } from '../../platform/lib/sql.ts';

test('Filter: conditions joined with AND, parameters numbered in order, undefined values skipped', () => {
  const f = new Filter()
    .equals('a.status', 'new')
    .equals('a.severity', undefined)
    .add((n) => `e.src_ip = ${n}::inet`, '203.0.113.7')
    .before('a.created_at', 'a.id', { t: '2026-01-01T00:00:00.000001Z', id: 42 });
  const limit = f.param(51);
  assert.equal(f.where(), 'WHERE a.status = $1 AND e.src_ip = $2::inet AND (a.created_at, a.id) < ($3::timestamptz, $4)');
  assert.equal(limit, '$5');
  assert.deepEqual(f.params, ['new', '203.0.113.7', '2026-01-01T00:00:00.000001Z', 42, 51]);
});

test('Filter: no condition -> no WHERE; no cursor -> no keyset condition', () => {
  const f = new Filter().equals('i.status', undefined).before('i.created_at', 'i.id', undefined);
  assert.equal(f.where(), '');
  assert.deepEqual(f.params, []);
});

test('escapeLike escapes %, _ and backslash; cursorTime keeps microseconds in UTC', () => {
  assert.equal(escapeLike('50%_off\\now'), '50\\%\\_off\\\\now');
  assert.equal(cursorTime('e.occurred_at'), `to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`);
});
