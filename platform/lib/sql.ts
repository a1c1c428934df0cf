// SQL helpers the repositories share: one WHERE builder for list filters and keyset cursors, the
// microsecond-exact cursor key of a timestamptz column, and LIKE escaping.
// Values always travel as parameters ($1, $2, ...); only column expressions are written into the text.
import type { Db } from '../db/pool.ts';

/** The pool or a transaction's client: what a repository's helper runs its statements on. */
export type Queryable = Pick<Db, 'query'>;

/** Microsecond-exact sort key of a timestamptz column, for cursors (a JS Date keeps only milliseconds). */
export const cursorTime = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Escapes LIKE metacharacters so free text matches literally. */
export const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Collects conditions (joined with AND) and their parameters, numbered in order:
 *   const f = new Filter();
 *   f.equals('a.status', q.status);                 // skipped when undefined
 *   f.add((n) => `e.src_ip = ${n}::inet`, q.srcIp);  // any condition on one parameter
 *   f.before('a.created_at', 'a.id', cursor);        // keyset: rows after the previous page
 *   const limit = f.param(pageSize + 1);             // a placeholder outside WHERE
 *   `SELECT ... ${f.where()} ORDER BY ... LIMIT ${limit}`, f.params
 */
export class Filter {
  readonly params: unknown[] = [];
  private readonly conditions: string[] = [];

  /** Adds a parameter and returns its placeholder (`$n`). */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** Adds `sql(placeholder)` unless value is undefined. */
  add(sql: (placeholder: string) => string, value: unknown): this {
    if (value !== undefined) this.conditions.push(sql(this.param(value)));
    return this;
  }

  /** `column = value`, unless value is undefined. */
  equals(column: string, value: unknown): this {
    return this.add((n) => `${column} = ${n}`, value);
  }

  /** Rows strictly before the cursor in `ORDER BY time DESC, id DESC` order; nothing when undefined. */
  before(timeColumn: string, idColumn: string, cursor: { t: string; id: number } | undefined): this {
    if (cursor !== undefined) {
      const t = this.param(cursor.t);
      const id = this.param(cursor.id);
      this.conditions.push(`(${timeColumn}, ${idColumn}) < (${t}::timestamptz, ${id})`);
    }
    return this;
  }

  /** `WHERE c1 AND c2 ...`, or '' when there is no condition. */
  where(): string {
    return this.conditions.length > 0 ? `WHERE ${this.conditions.join(' AND ')}` : '';
  }
}
