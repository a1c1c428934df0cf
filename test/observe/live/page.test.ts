// The live page's pure parts: Artillery's printed periods read back (counters, rates, summaries,
// per-endpoint figures), the platform's exposition read, and the page built from them with every
// name escaped by the report's functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointSummaries, livePeriods } from '../../../src/observe/live/console-feed.ts';
import { firstValues } from '../../../src/observe/live/platform-feed.ts';
import { liveCharts, livePage, type LiveModel } from '../../../src/observe/live/page.ts';
import { loadChartAssets } from '../../../src/report/index.ts';

const HOSTILE = 'GET /x </script><img src=x onerror=alert(1)>';
// Two periods as Artillery 2.0.34 prints them (dots shortened), the second still being written.
const LOG = `Phase started: steady (index: 0, duration: 20s) 23:16:41(+0000)

--------------------------------------
Metrics for period to: 23:16:50(+0000) (width: 8.2s)
--------------------------------------

errors.ETIMEDOUT: ....... 1
http.codes.200: ......... 18
http.codes.503: ......... 2
http.request_rate: ...... 3/sec
http.requests: .......... 21
http.response_time:
  min: .................. 0
  max: .................. 15
  mean: ................. 3.2
  median: ............... 2
  p95: .................. 10.1
  p99: .................. 13.1
plugins.metrics-by-endpoint.response_time.${HOSTILE}:
  min: .................. 1
  max: .................. 9
  mean: ................. 4
  median: ............... 3
  p95: .................. 8.9
  p99: .................. 9
vusers.created: ......... 7

--------------------------------------
Metrics for period to: 23:17:00(+0000) (width: 9.9s)
--------------------------------------

http.requests: .......... 30
vusers.created: ......... 10
`;

test('periods read back from the console: counters, rates, summaries, per-endpoint figures', () => {
  const started = Date.UTC(2026, 11, 1, 23, 16, 41);
  const periods = livePeriods(LOG, started);
  assert.equal(periods.length, 2);
  assert.equal(periods[0].end, Date.UTC(2026, 11, 1, 23, 16, 50));
  assert.deepEqual(periods[0].counters, { 'errors.ETIMEDOUT': 1, 'http.codes.200': 18, 'http.codes.503': 2, 'http.requests': 21, 'vusers.created': 7 });
  assert.deepEqual(periods[0].rates, { 'http.request_rate': 3 });
  assert.deepEqual(periods[0].summaries['http.response_time'], { min: 0, max: 15, mean: 3.2, median: 2, p95: 10.1, p99: 13.1 });
  assert.deepEqual([...endpointSummaries(periods[0]).keys()], [HOSTILE]);
  assert.equal(periods[1].counters['http.requests'], 30);
  // Artillery's final summary repeats the totals: it is not a period.
  assert.equal(livePeriods(`${LOG}\nSummary report @ 23:17:05(+0000)\nhttp.requests: .... 51\n`, started).length, 2);
});

test('the platform\'s exposition: the first sample of each wanted metric, labels ignored', () => {
  const text = '# HELP process_cpu_seconds_total x\nprocess_cpu_seconds_total 1.5\nrampart_db_pool_waiting{a="b"} 3\nrampart_db_pool_waiting{a="c"} 9\nother 1\n';
  assert.deepEqual([...firstValues(text, ['process_cpu_seconds_total', 'rampart_db_pool_waiting', 'missing'])], [['process_cpu_seconds_total', 1.5], ['rampart_db_pool_waiting', 3]]);
});

test('the page: charts in the report\'s shape, names escaped, reloads while running, links the report at the end', async () => {
  const startedAtMs = Date.UTC(2026, 11, 1, 23, 16, 41);
  const model: LiveModel = {
    runId: 'r1', profile: 'p<b>', startedAtMs, phases: [{ duration: 20, arrivalRate: 1 }], periods: livePeriods(LOG, startedAtMs),
    platform: [{ at: startedAtMs + 5000, cpuCores: null, rssBytes: 5e7, eventLoopLagP99Ms: 12, poolInUse: 1, poolWaiting: 0 }],
    nowMs: startedAtMs + 20_000, finished: null, refreshSeconds: 5,
  };
  const charts = liveCharts(model);
  const arrivals = charts.find((c) => c.id === 'chart-arrivals');
  // planned: 1/s from 23:16:41, so 9 in the first (partial) period to 23:16:50, then 10
  assert.deepEqual(arrivals?.lines.map((l) => l.values), [[7, 10], [9, 10]]);
  assert.deepEqual(charts.find((c) => c.id === 'chart-errors')?.lines[0].values, [3, 0]);

  const assets = await loadChartAssets();
  const running = livePage(model, assets);
  assert.match(running, /<meta http-equiv="refresh" content="5">/);
  assert.match(running, /<p id="totals">51 requests, 3 errors, 17 users created, 2 periods<\/p>/);
  assert.ok(!running.includes('<img src=x'), 'no raw markup from a name');
  assert.ok(running.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(!running.includes('</script><img'), 'the JSON block cannot be closed by a name');
  assert.ok(!running.includes('<b>'));

  const done = livePage({ ...model, finished: { verdict: 'pass: every threshold held', reportHref: '/report.html', bundleDir: '/tmp/b' } }, assets);
  assert.ok(!done.includes('http-equiv="refresh"'));
  assert.match(done, /<a id="final-report" href="\/report\.html">The final report<\/a>/);
});
