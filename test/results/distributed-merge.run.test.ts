// Distributed measurements merge exactly. Three separate `artillery run` processes, each as one
// run-fargate task runs it (its own main thread and workers, no shared bundle folder for the merge),
// load a loopback server at the same time. Each ships its per-period stats the way run-fargate's
// worker plugin (sqs-reporter) does — Artillery's own SSMS.serializeMetrics — here into a file
// instead of a queue; the test then plays run-fargate's CLI with Artillery's own code
// (deserializeMetrics, mergeBuckets per period, pack for the aggregate) and writes the --output
// file the CLI would. Rampart's figures from that one merged file must equal those of one recorder
// that saw every request: the three processes' own exact histograms (histograms.json, 3 digits)
// merged, in the counters' buckets.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleFile } from '../../src/core/bundle/files.ts';
import { readHistogramDocument } from '../../src/core/bundle/histogram-read.ts';
import { coarsen, histogramOfBuckets, SUB_BUCKETS } from '../../src/core/counters.ts';
import { latencyStats, mergeHistograms } from '../../src/core/histogram.ts';
import type { HistogramFile } from '../../src/core/bundle/types.ts';
import { analyzeBundle, loadBundle } from '../../src/results/index.ts';
import { parseArtilleryOutput } from '../../src/results/bundle.ts';
import { generatorFromCounters } from '../../src/results/counter-trust.ts';
import { buildPlugin, REPO, runArtillery } from '../plugins/harness.ts';

const TASKS = 3;
const PHASES = [{ duration: 4, arrivalRate: 6 }];

interface Ssms {
  serializeMetrics(stats: unknown): string;
  deserializeMetrics(text: string): { period: string | number };
  mergeBuckets(list: unknown[]): Record<string, Record<string, unknown>>;
  pack(list: unknown[]): Record<string, unknown>;
  summarizeHistogram(value: unknown): unknown;
}

// Artillery's metrics store, the module run-fargate's CLI and its worker plugin use.
const { SSMS } = (await import(pathToFileURL(join(REPO, 'node_modules/artillery/dist/lib/core/ssms.js')).href)) as { SSMS: Ssms };

// A worker-side relay: what run-fargate's sqs-reporter plugin does with each period's stats, into a file.
const RELAY = `
const { appendFileSync } = require('node:fs');
module.exports.LEGACY_METRICS_FORMAT = false;
module.exports.Plugin = class {
  constructor(script, events) {
    if (process.env.LOCAL_WORKER_ID !== undefined) return;
    events.on('stats', (stats) => appendFileSync(process.env.RELAY_FILE, global.artillery.__SSMS.serializeMetrics(stats) + '\\n'));
  }
};
`;

let root: string;
let server: { port: number; close(): Promise<void> };
const references: HistogramFile[] = [];
const relayed: string[][] = [];

before(async () => {
  buildPlugin();
  root = await mkdtemp(join(tmpdir(), 'rampart-distributed-'));
  // Latencies spread over several milliseconds so that many buckets are in play.
  const http = createServer((req, res) => {
    req.resume();
    setTimeout(() => {
      res.writeHead(req.url?.startsWith('/missing') ? 404 : 200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    }, Math.random() * 25);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  server = {
    port: (http.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => { http.closeAllConnections(); http.close(() => { resolve(); }); }),
  };
  const relayDir = join(root, 'node_modules', 'artillery-plugin-relay');
  await mkdir(relayDir, { recursive: true });
  await writeFile(join(relayDir, 'index.js'), RELAY);
  await writeFile(join(relayDir, 'package.json'), '{"name":"artillery-plugin-relay","version":"1.0.0","main":"index.js"}\n');
  const script = `
config:
  target: http://127.0.0.1:${String(server.port)}
  phases:
${PHASES.map((p) => `    - duration: ${String(p.duration)}\n      arrivalRate: ${String(p.arrivalRate)}`).join('\n')}
  plugins:
    rampart: { counters: true }
    relay: { scope: ${join(root, 'node_modules', 'artillery-plugin-')} }
scenarios:
  - flow:
      - get: { url: /api/v1/alerts, name: GET /api/v1/alerts }
      - get: { url: "/api/v1/alerts/{{ $randomNumber(1, 99) }}", name: GET /api/v1/alerts/:id }
      - post: { url: /api/v1/events, name: POST /api/v1/events, json: { type: login_failed } }
      - get: { url: /missing, name: GET /missing }
`;
  await writeFile(join(root, 'script.yml'), script);
  // The tasks run at the same time, as run-fargate's do, so their periods overlap and merge.
  const runs = await Promise.all(Array.from({ length: TASKS }, (_, i) =>
    runArtillery(join(root, 'script.yml'), join(root, `task-${String(i)}.json`), { RAMPART_BUNDLE_DIR: join(root, `task-${String(i)}`), RELAY_FILE: join(root, `task-${String(i)}.stats`) }, 90_000)));
  for (const [i, run] of runs.entries()) {
    assert.equal(run.timedOut, false, `task ${String(i)} finished in time`);
    assert.equal(run.code, 0, run.stderr);
    references.push(await readHistogramDocument(bundleFile(join(root, `task-${String(i)}`), 'histograms')));
    relayed.push((await readFile(join(root, `task-${String(i)}.stats`), 'utf8')).trim().split('\n'));
  }
});

after(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

/** run-fargate's CLI, with Artillery's own code: per period, every task's stats merged; the aggregate packed. */
function mergeLikeRunFargate(tasks: string[][]): unknown {
  const byPeriod = new Map<string, unknown[]>();
  for (const lines of tasks) {
    for (const line of lines) {
      const stats = SSMS.deserializeMetrics(line);
      const period = String(stats.period);
      byPeriod.set(period, [...(byPeriod.get(period) ?? []), stats]);
    }
  }
  const summarize = (stats: Record<string, unknown>): Record<string, unknown> => {
    const histograms = (stats.histograms ?? {}) as Record<string, unknown>;
    return { ...stats, summaries: Object.fromEntries(Object.entries(histograms).map(([name, h]) => [name, SSMS.summarizeHistogram(h)])) };
  };
  const intermediate = [...byPeriod.keys()].sort().map((period) => summarize(SSMS.mergeBuckets(byPeriod.get(period) ?? [])[period]));
  const aggregate = summarize(SSMS.pack(intermediate));
  // As run-cluster writes --output: each report's histograms replaced by its summaries.
  for (const report of [...intermediate, aggregate]) report.histograms = report.summaries;
  return JSON.parse(JSON.stringify({ intermediate, aggregate })) as unknown;
}

/** One recorder that saw everything: the tasks' exact histograms merged, in the counters' buckets. */
function reference(series: (file: HistogramFile) => string | undefined): ReturnType<typeof latencyStats> {
  const exact = mergeHistograms(references.map(series).filter((h): h is string => h !== undefined));
  return latencyStats(histogramOfBuckets(coarsen(exact)));
}

test('percentiles from the merged run-fargate output equal those of one recorder that saw every request', async () => {
  const mergedPath = join(root, 'merged.json');
  await writeFile(mergedPath, JSON.stringify(mergeLikeRunFargate(relayed)));
  const analysis = analyzeBundle(await loadBundle(mergedPath));
  assert.equal(analysis.source, 'histograms', 'rebuilt from the plugin counters, not Artillery summaries');
  const keys = Object.keys(references[0].endpoints).sort();
  assert.deepEqual(analysis.endpoints.map((e) => e.summary.endpoint), keys);
  for (const endpoint of analysis.endpoints) {
    const key = endpoint.summary.endpoint;
    const expected = reference((file) => file.totals?.endpoints[key]);
    assert.deepEqual(endpoint.summary.latencyMs, expected, key);
    const codes: Record<string, number> = {};
    for (const file of references) for (const p of file.endpoints[key]) for (const [code, n] of Object.entries(p.codes)) codes[code] = (codes[code] ?? 0) + n;
    assert.deepEqual(endpoint.summary.codes, codes, `${key}: status codes`);
  }
  assert.deepEqual(analysis.run.summary.latencyMs, reference((file) => file.totals?.overall));
  const requests = 4 * TASKS * PHASES[0].duration * PHASES[0].arrivalRate;
  assert.equal(analysis.run.summary.requests, requests, 'every request of every task is counted once');
});

test('each period of the merged output equals the tasks\' same period merged, and stays within the buckets\' precision of the exact figures', async () => {
  const analysis = analyzeBundle(await loadBundle(join(root, 'merged.json')));
  const run = analysis.endpoints.find((e) => e.summary.endpoint === 'GET /api/v1/alerts');
  assert.ok(run !== undefined);
  const starts = [...new Set(references.flatMap((f) => f.endpoints['GET /api/v1/alerts'].map((p) => p.start)))].sort((a, b) => a - b);
  assert.deepEqual(run.periods.map((p) => p.start), starts);
  assert.ok(starts.some((start) => references.filter((f) => f.endpoints['GET /api/v1/alerts'].some((p) => p.start === start)).length === TASKS), 'the tasks shared a period');
  for (const point of run.periods) {
    const exact = mergeHistograms(references.flatMap((f) => f.endpoints['GET /api/v1/alerts'].filter((p) => p.start === point.start).map((p) => p.histogram)));
    const fine = latencyStats(exact);
    assert.deepEqual(point.latencyMs, latencyStats(histogramOfBuckets(coarsen(exact))));
    assert.ok(fine !== null && point.latencyMs !== null);
    for (const q of ['p50', 'p95', 'p99', 'max'] as const) {
      const bound = fine[q] * (1 / SUB_BUCKETS + 1 / 1024) + 0.001;
      assert.ok(Math.abs(point.latencyMs[q] - fine[q]) <= bound, `${q}: ${String(point.latencyMs[q])} vs exact ${String(fine[q])}`);
    }
  }
});

test('the trust verdict covers every load generator and each of their workers', () => {
  const all = generatorFromCounters(parseArtilleryOutput(mergeLikeRunFargate(relayed), 'merged'), { phases: PHASES, loadGenerators: TASKS });
  assert.ok(all !== null);
  assert.deepEqual(all.trust, { trustworthy: true, reasons: [] });
  assert.equal(all.planned.arrivals, TASKS * PHASES[0].duration * PHASES[0].arrivalRate);
  assert.equal(all.actual.arrivals, all.planned.arrivals);
  assert.ok(all.periods.some((p) => p.workerUtilization !== undefined), 'worker health arrived through the counters');

  // One task's stats never reached the CLI: the merged run is incomplete and says so.
  const partial = generatorFromCounters(parseArtilleryOutput(mergeLikeRunFargate(relayed.slice(1)), 'merged'), { phases: PHASES, loadGenerators: TASKS });
  assert.ok(partial !== null);
  assert.equal(partial.trust.trustworthy, false);
  assert.match(partial.trust.reasons.join('; '), /1 of the 3 load generators \(only 2 reported\)/);
  assert.match(partial.trust.reasons.join('; '), /generator fell behind the schedule: \d+ of 72 planned arrivals/);
});
