// Keyset pagination: an opaque cursor (base64url JSON of the last row's sort key) and a page limit.
// Lists answer `{ items, nextCursor }`; nextCursor is null on the last page.
import { badRequest } from '../errors.ts';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export type Page<T> = { items: T[]; nextCursor: string | null };

export function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

/**
 * Decodes a cursor and checks its shape with `guard`; anything else (not base64url, not JSON,
 * wrong shape) is a 400 `validation` error, never a 500.
 */
export function decodeCursor<T>(cursor: string, guard: (value: unknown) => value is T): T {
  let value: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('cursor is not valid; pass the nextCursor of the previous page unchanged');
  }
  if (!guard(value)) throw badRequest('cursor is not valid; pass the nextCursor of the previous page unchanged');
  return value;
}

/**
 * Builds a page from rows fetched with `LIMIT limit + 1`: the extra row only signals that another
 * page exists; the cursor is made from the last row returned.
 */
export function pageOf<Row, Item>(rows: Row[], limit: number, toItem: (row: Row) => Item, toCursor: (row: Row) => object): Page<Item> {
  const hasMore = rows.length > limit;
  const visible = hasMore ? rows.slice(0, limit) : rows;
  const last = visible[visible.length - 1];
  return {
    items: visible.map(toItem),
    nextCursor: hasMore && last !== undefined ? encodeCursor(toCursor(last)) : null,
  };
}

/**
 * Guards for the common `{ id }` / `{ t, id }` cursors: id a positive integer, t a time string.
 * For timestamptz keys put the column's full-precision text in t (`created_at::text`): a JS Date
 * rounds to milliseconds and would skip or repeat rows that share a millisecond.
 */
export function isIdCursor(value: unknown): value is { id: number } {
  return typeof value === 'object' && value !== null && Number.isSafeInteger((value as { id?: unknown }).id) && (value as { id: number }).id > 0;
}

export function isTimeIdCursor(value: unknown): value is { t: string; id: number } {
  if (!isIdCursor(value)) return false;
  const t = (value as { t?: unknown }).t;
  return typeof t === 'string' && !Number.isNaN(Date.parse(t));
}
