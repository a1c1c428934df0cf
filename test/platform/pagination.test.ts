// Keyset cursors: opaque round trip, bad cursors are a 400 validation error, pages from LIMIT n+1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCursor, encodeCursor, isIdCursor, isTimeIdCursor, pageOf } from '../../platform/lib/pagination.ts';
import { HttpError } from '../../platform/errors.ts';

test('a cursor round-trips and is URL-safe', () => {
  const cursor = encodeCursor({ t: '2026-11-27 13:50:01.123456+00', id: 42 });
  assert.match(cursor, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(decodeCursor(cursor, isTimeIdCursor), { t: '2026-11-27 13:50:01.123456+00', id: 42 });
});

test('malformed or wrongly shaped cursors are a 400 validation HttpError', () => {
  const bad = ['%%%', 'bm90IGpzb24', encodeCursor({ id: 'x' }), encodeCursor({ id: -1 }), encodeCursor({ id: 1.5 }), encodeCursor({ t: 'yesterday', id: 1 }), encodeCursor([1])];
  for (const cursor of bad) {
    assert.throws(() => decodeCursor(cursor, isTimeIdCursor), (error: unknown) => {
      assert.ok(error instanceof HttpError);
      assert.equal(error.statusCode, 400);
      assert.equal(error.code, 'validation');
      return true;
    }, cursor);
  }
  assert.deepEqual(decodeCursor(encodeCursor({ id: 7 }), isIdCursor), { id: 7 });
});

test('pageOf: the extra row only signals a next page; the cursor comes from the last row shown', () => {
  const rows = [{ id: 1 }, { id: 2 }, { id: 3 }];
  const full = pageOf(rows, 2, (r) => r.id, (r) => ({ id: r.id }));
  assert.deepEqual(full.items, [1, 2]);
  assert.deepEqual(decodeCursor(full.nextCursor ?? '', isIdCursor), { id: 2 });
  const last = pageOf(rows, 3, (r) => r.id, (r) => ({ id: r.id }));
  assert.deepEqual(last, { items: [1, 2, 3], nextCursor: null });
  assert.deepEqual(pageOf([], 50, (r: { id: number }) => r.id, (r) => ({ id: r.id })), { items: [], nextCursor: null });
});
