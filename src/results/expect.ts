// The expect plugin's assertions (artillery-plugin-expect): its counters in Artillery's aggregate,
// `plugins.expect.ok` / `plugins.expect.failed` and the same per assertion kind
// (`plugins.expect.failed.statusCode`, ...). Pure.

export interface ExpectResults {
  ok: number;
  failed: number;
  /** failed / (ok + failed) */
  failedRate: number;
  /** assertion kind -> failures, largest first */
  failedByKind: { kind: string; count: number }[];
}

const PREFIX = 'plugins.expect.';

/** The run's expect assertions, or null when the run made none (the plugin was not loaded). */
export function expectResults(counters: Readonly<Record<string, number>>): ExpectResults | null {
  const ok = counters[`${PREFIX}ok`] ?? 0;
  const failed = counters[`${PREFIX}failed`] ?? 0;
  if (ok + failed === 0) return null;
  const failedByKind = Object.entries(counters)
    .filter(([name, count]) => name.startsWith(`${PREFIX}failed.`) && count > 0)
    .map(([name, count]) => ({ kind: name.slice(`${PREFIX}failed.`.length), count }))
    .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind));
  return { ok, failed, failedRate: failed / (ok + failed), failedByKind };
}
