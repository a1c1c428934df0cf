// The sampler's pure parts on texts as Linux, prom-client and pg_stat_statements write them: a
// command name with spaces and parentheses, labels holding braces, a reset between snapshots.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHostCpu, parseIo, parseNetDev, parseStat, processTree, readParents, treeFromParents } from '../../src/sample/proc.ts';
import { isBacklogGauge, parseMetricsText, readMetrics } from '../../src/sample/metrics-text.ts';
import { explainableText, statementsDelta, type StatementTotals } from '../../src/sample/statements.ts';
import { buildSample, emptyReading } from '../../src/sample/build.ts';
import { parsePostmasterPid } from '../../src/sample/database.ts';

test('/proc parsers: stat fields count from the last ")", io, host CPU, network, trees', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3)); // field n holds n
  const stat = parseStat(`42 (node (worker) x) ${fields.join(' ')}`);
  assert.deepEqual(stat, { ppid: 4, utimeTicks: 14, stimeTicks: 15, cutimeTicks: 16, cstimeTicks: 17, rssPages: 24 });
  assert.equal(parseStat('garbage'), null);
  assert.deepEqual(parseIo('rchar: 9\nread_bytes: 4096\nwrite_bytes: 8192\n'), { read: 4096, write: 8192 });
  assert.deepEqual(parseHostCpu('cpu  10 0 10 70 10 0 0 0 0 0\ncpu0 1 1 1 1\n'), { busy: 20, total: 100 });
  const dev = 'Inter-|   Receive\n face |bytes\n    lo: 100 1 0 0 0 0 0 0 100 1 0 0 0 0 0 0\n  eth0: 50 1 0 0 0 0 0 0 7 1 0 0 0 0 0 0\n';
  assert.deepEqual(parseNetDev(dev), { rx: 150, tx: 107 });
  assert.deepEqual(treeFromParents(new Map([[1, 0], [10, 1], [11, 10], [12, 10], [20, 1]]), 10).sort(), [10, 11, 12]);
  assert.deepEqual(treeFromParents(new Map([[1, 0]]), 99), []);
  assert.deepEqual(parsePostmasterPid('4242\n/data\n1796175073\n40387\n'), { pid: 4242, port: 40387 });
  assert.equal(parsePostmasterPid(''), null);
});

test('process trees from children files agree with a full scan of /proc', async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn('sleep', ['5'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 100));
    const tree = processTree(process.pid);
    assert.ok(child.pid !== undefined && tree.includes(process.pid) && tree.includes(child.pid), `tree: ${tree.join(' ')}`);
    assert.deepEqual([...tree].sort(), treeFromParents(readParents(), process.pid).sort());
    assert.deepEqual(processTree(2 ** 22 + 1), []);
  } finally {
    child.kill();
  }
});

test('/metrics: samples summed over labels (braces inside quotes too), backlog gauges, the pool', () => {
  const text = [
    '# TYPE nodejs_gc_duration_seconds histogram',
    'nodejs_gc_duration_seconds_sum{kind="minor"} 0.25',
    'nodejs_gc_duration_seconds_sum{kind="major"} 0.5',
    '# TYPE rampart_detection_backlog_events gauge',
    'rampart_detection_backlog_events 1234',
    '# TYPE rampart_ingest_backlog gauge',
    'rampart_ingest_backlog{q="a}b"} 7',
    '# TYPE rampart_backlog_total counter',
    'rampart_backlog_total 9',
    'rampart_db_pool_total 10', 'rampart_db_pool_in_use 4', 'rampart_db_pool_waiting 2',
    'nodejs_eventloop_lag_p99_seconds 0.0125',
    'bad_value NaN',
  ].join('\n');
  const reading = readMetrics(parseMetricsText(text));
  assert.equal(reading.gcSecondsTotal, 0.75);
  assert.deepEqual(reading.queues, { rampart_detection_backlog_events: 1234, rampart_ingest_backlog: 7 });
  assert.deepEqual(reading.pool, { total: 10, inUse: 4, waiting: 2 });
  assert.equal(reading.eventLoopDelayP99Ms, 12.5);
  assert.equal(isBacklogGauge('rampart_detection_backlog', 'gauge'), true);
  assert.equal(isBacklogGauge('rampart_detection_backlog', 'counter'), false);
});

const totals = (queryId: string, calls: number, totalExecMs: number): StatementTotals => ({
  queryId, query: `SELECT ${queryId}`, calls, totalExecMs, rows: calls, sharedBlksHit: calls * 2, sharedBlksRead: 1, tempBlksWritten: 0,
});

test('statements delta: end minus start, new statements whole, a reset counts from zero, unchanged ones left out', () => {
  const start = { at: 1000, statements: new Map([['a', totals('a', 10, 100)], ['b', totals('b', 5, 50)], ['c', totals('c', 50, 500)]]) };
  const end = { at: 61_000, statements: new Map([['a', totals('a', 14, 180)], ['b', totals('b', 5, 50)], ['c', totals('c', 3, 9)], ['d', totals('d', 2, 400)]]) };
  const delta = statementsDelta(start, end);
  assert.deepEqual(delta.statements.map((s) => [s.queryId, s.calls, s.totalExecMs, s.meanExecMs]), [['d', 2, 400, 200], ['a', 4, 80, 20], ['c', 3, 9, 3]]);
  assert.equal(delta.totalExecMs, 489);
  assert.deepEqual(delta.window, { start: 1000, end: 61_000 });
  assert.equal(explainableText('SELECT 1 WHERE t > now() - interval $1 AND d = DATE $2'), 'SELECT 1 WHERE t > now() - $1::interval AND d = $2::DATE');
  assert.equal(explainableText('SELECT id ORDER BY abs(extract($8 FROM occurred_at - $4::timestamptz)), id'), 'SELECT id ORDER BY abs(date_part($8, occurred_at - $4::timestamptz)), id');
});

test('a sample from two readings: amounts within the interval, gauges at its end, missing parts left out', () => {
  const a = { ...emptyReading(0), platformProcess: { userSeconds: 1, systemSeconds: 1, rssBytes: 5, diskReadBytes: 0, diskWriteBytes: 0 }, hostCpu: { busy: 10, total: 100 }, hostNet: { rx: 0, tx: 0 } };
  const b = { ...emptyReading(2000), platformProcess: { userSeconds: 2, systemSeconds: 1.5, rssBytes: 7, diskReadBytes: 4096, diskWriteBytes: null }, hostCpu: { busy: 60, total: 300 }, hostNet: { rx: 10, tx: 20 } };
  const sample = buildSample(a, b);
  assert.deepEqual(sample.platform, { cpuUserPercent: 50, cpuSystemPercent: 25, rssBytes: 7 });
  assert.deepEqual(sample.host, { cpuPercent: 25, netRxBytes: 10, netTxBytes: 20 });
  assert.equal(sample.database, undefined);
  assert.equal(sample.generator, undefined);
});
