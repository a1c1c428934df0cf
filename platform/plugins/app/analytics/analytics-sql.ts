// The analytics' subjects and sources and the SQL identifiers they stand for, shared by the plain
// queries (analytics-repository.ts) and the cached ones (cached-analytics.ts). Only these identifiers
// are ever written into SQL text; values are parameters.
export const SOURCES = ['src_ip', 'host', 'username'] as const;
export type Source = (typeof SOURCES)[number];
export const SUBJECTS = ['events', 'alerts'] as const;
export type Subject = (typeof SUBJECTS)[number];

/** Table and time column of each subject. */
export const SUBJECT_SQL: Record<Subject, { table: string; time: string }> = {
  events: { table: 'events', time: 'occurred_at' },
  alerts: { table: 'alerts', time: 'created_at' },
};
export const SOURCE_SQL: Record<Source, { column: string; value: string }> = {
  src_ip: { column: 'src_ip', value: 'host(src_ip)' },
  host: { column: 'host', value: 'host' },
  username: { column: 'username', value: 'username' },
};

