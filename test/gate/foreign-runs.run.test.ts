// Foreign runs: plain `artillery run --output` files made by real Artillery (the binary, spawned
// here, against a node:http server this file starts), judged and reported as a user would.
// One run, made once for the whole file: two endpoints, one of which answers 404 to a flow that
// expects 200 (the expect plugin's failures), and a processor that records a custom counter,
// rate and histogram; the baseline run records them too and has Artillery ensure checks, one of
// which fails (each run's console output is saved beside its --output file, as out.log).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import type { GateResult } from '../../src/core/bundle/types.ts';
import { removeDir, tempDir } from './fixtures.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'src', 'cli', 'rampart.ts');
const ARTILLERY = join(ROOT, 'node_modules', 'artillery', 'bin', 'run');

let root: string;
let output: string;
let allFailed: string;
let baselineRun: string;
const server = createServer((req, res) => {
  if (req.url?.startsWith('/missing')) res.writeHead(404).end('{}');
  else if (req.url?.startsWith('/down')) res.writeHead(503).end('{}');
  else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
});

/** Runs real Artillery on a script; the child is stopped by its pid if it overruns. */
async function artillery(dir: string, script: string): Promise<string> {
  await writeFile(join(dir, 'script.yml'), script);
  const out = join(dir, 'out.json');
  // the console output beside the file, as `| tee out.log` would keep it (the ensure checks are only there)
  const log = openSync(join(dir, 'out.log'), 'w');
  const child = spawn(process.execPath, [ARTILLERY, 'run', '--output', out, join(dir, 'script.yml')], {
    cwd: dir, env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: 'true' }, stdio: ['ignore', log, log],
  });
  closeSync(log);
  const timer = setTimeout(() => { if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL'); }, 60_000);
  await new Promise<void>((resolve) => child.on('exit', () => { resolve(); }));
  clearTimeout(timer);
  return out;
}

before(async () => {
  root = await tempDir();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const dirs = ['expect', 'all-failed', 'baseline'].map((name) => join(root, name));
  for (const dir of dirs) await mkdir(dir);
  await writeFile(join(dirs[0], 'processor.js'), `module.exports = {
  shop(req, res, ctx, ee, done) { ee.emit('counter', 'shop.orders', 1); ee.emit('rate', 'shop.clicks'); ee.emit('histogram', 'shop.checkout_ms', 40 + Math.random() * 20); done(); }
};\n`);
  await copyFile(join(dirs[0], 'processor.js'), join(dirs[2], 'processor.js'));
  const config = `config:
  target: "http://127.0.0.1:${port}"
  phases: [{ duration: 3, arrivalRate: 10 }]
  plugins: { expect: {}, metrics-by-endpoint: {} }
`;
  // the three runs at once: each Artillery start costs seconds
  [output, allFailed, baselineRun] = await Promise.all([
    artillery(dirs[0], `${config}  processor: "./processor.js"
scenarios:
  - name: shopper
    flow:
      - get: { url: "/ok", name: "GET /api/v1/ok", afterResponse: "shop", expect: [{ statusCode: 200 }] }
      - get: { url: "/missing", name: "GET /api/v1/missing", expect: [{ statusCode: 200 }] }
`),
    artillery(dirs[1], `${config}scenarios:
  - flow:
      - get: { url: "/down", name: "GET /api/v1/ok" }
`),
    // the baseline run also carries the metric budgets' and ensure checks' case (one Artillery start fewer)
    artillery(dirs[2], `${config.replace('metrics-by-endpoint: {} }', 'metrics-by-endpoint: {}, ensure: {} }')}  processor: "./processor.js"
  ensure:
    thresholds: [{ "shop.checkout_ms.p95": 10 }, { "http.response_time.p99": 5000 }]
    conditions: [{ expression: "shop.orders > 1000", strict: false }]
scenarios:
  - flow:
      - get: { url: "/ok", name: "GET /api/v1/ok", afterResponse: "shop" }
`),
  ]);
});

after(async () => {
  server.close();
  await removeDir(root);
});

interface Ran { code: number | null; stdout: string; stderr: string }
function rampart(args: string[]): Ran {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function slo(name: string, text: string): Promise<string> {
  const path = join(root, name);
  await writeFile(path, text);
  return path;
}

test('failed expect assertions breach the gate and are shown in the report; a run budget can allow them', async () => {
  const budgets = await slo('plain.yml', 'defaults:\n  errorRate: 0.01\n');
  const ran = rampart(['gate', output, '--slo', budgets]);
  assert.equal(ran.code, 1, ran.stderr + ran.stdout);
  assert.match(ran.stdout, /BREACHED \* expectFailedRate 50\.00% > 0\.00%/);
  const result = JSON.parse(await readFile(join(root, 'expect', 'gate.json'), 'utf8')) as GateResult;
  const check = result.slo.find((c) => c.metric === 'expectFailedRate');
  assert.equal(check?.passed, false);
  assert.equal(check.actual, 0.5);
  const html = await readFile(join(root, 'expect', 'report.html'), 'utf8');
  assert.match(html, /Expect assertions: 30 passed, 30 failed/);
  // the processor's own counter and histogram are shown; the platform's security metrics are not explained
  assert.match(html, /<td class="key">shop\.orders<\/td><td class="num">30<\/td>/);
  assert.match(html, /shop\.checkout_ms/);
  assert.doesNotMatch(html, /Security metrics|detection latency/);
  assert.match(html, /30 of 60 expect assertions failed \(50\.00%: statusCode ×30\)/);
  assert.match(await readFile(join(root, 'expect', 'summary.md'), 'utf8'), /30 of 60 expect assertions failed/);

  const lenient = await slo('lenient.yml', 'defaults:\n  errorRate: 0.01\nrun:\n  expectFailedRate: 0.6\n');
  const allowed = rampart(['gate', output, '--slo', lenient, '--no-report']);
  assert.equal(allowed.code, 0, allowed.stderr + allowed.stdout);
});

test('budgets without data are shown as no data, never as passes, and a key the run never called is a warning', async () => {
  const budgets = await slo('no-data.yml', 'defaults:\n  errorRate: 0.5\nendpoints:\n  "GET /api/v1/alerts":\n    p95: 500\nrun:\n  expectFailedRate: null\n  detectionLatencyP95: 10000\n');
  const out = join(root, 'no-data');
  const ran = rampart(['gate', output, '--slo', budgets, '--out', out]);
  assert.equal(ran.code, 0, ran.stderr + ran.stdout);
  assert.match(ran.stdout, /: 2 of 2 met, 0 breached, 3 with no data \(not checked\)/);
  assert.match(ran.stdout, /WARNING {2}GET \/api\/v1\/alerts: the run never called it, so its budgets \(p95, errorRate\) were not checked/);
  assert.match(ran.stdout, /WARNING {2}rampart\.detection_latency: the run never emitted this metric, so its budgets \(detectionLatencyP95\) were not checked/);
  const html = await readFile(join(out, 'report.html'), 'utf8');
  assert.match(html, /All 2 SLO checks with data passed \(3 had no data\)/);
  assert.match(html, /5 SLO checks: 2 met, 0 breached, 3 with no data/);
  assert.equal(html.match(/badge-neutral">no data</g)?.length, 3);
  assert.match(html, /<td class="key">GET \/api\/v1\/alerts<\/td><td>p95<\/td><td class="num">[^<]*<\/td><td class="num">no data<\/td><td><span class="badge badge-neutral">no data</);
  const summary = await readFile(join(out, 'summary.md'), 'utf8');
  assert.match(summary, /All 2 SLO checks with data passed\./);
  assert.match(summary, /3 SLO checks had no data \(not checked\): GET \/api\/v1\/alerts, rampart\\?\.detection\\?_latency\./);
  assert.match(await readFile(join(out, 'junit.xml'), 'utf8'), /<skipped message="no data: the run never called this endpoint/);
});

test('a run in which every request failed is refused as a baseline, in one line, and nothing is written', async () => {
  const out = join(root, 'refused');
  const ran = rampart(['gate', output, '--baseline', allFailed, '--out', out]);
  assert.equal(ran.code, 2, ran.stderr + ran.stdout);
  assert.equal(ran.stderr.trimEnd().split('\n').length, 1, ran.stderr);
  assert.match(ran.stderr, /all-failed\/out\.json: cannot serve as a baseline: every one of the 30 requests failed \(HTTP 503 x30\); give a trustworthy run/);
  await assert.rejects(readFile(join(out, 'gate.json')), { code: 'ENOENT' });
});

test('an endpoint missing from the baseline is UNKNOWN "not in the baseline", and the baseline counts only runs compared with', async () => {
  const budgets = await slo('compare.yml', 'run:\n  expectFailedRate: null\n');
  const ran = rampart(['gate', output, '--baseline', baselineRun, '--slo', budgets, '--out', join(root, 'compared')]);
  assert.equal(ran.code, 0, ran.stderr + ran.stdout);
  assert.match(ran.stdout, /Baseline .*baseline\/out\.json \(1 run\(s\)\)/);
  assert.match(ran.stdout, /UNKNOWN GET \/api\/v1\/missing +not in the baseline/);
  assert.match(ran.stdout, /UNKNOWN GET \/api\/v1\/ok +too few periods in the run/);

  // judged against itself: its own entry is dropped, and the count says so
  const self = rampart(['gate', output, '--baseline', output, '--slo', budgets, '--no-report']);
  assert.equal(self.code, 0, self.stderr + self.stdout);
  assert.match(self.stdout, /profile unknown, 1 run\(s\)/);
  assert.match(self.stdout, /expect\/out\.json: it holds no run but the judged one\(s\), so nothing was compared/);
});

test('budgets on custom counters, rates and histograms by name, a metric never emitted as a warning, and Artillery ensure checks shown and honoured', async () => {
  const budgets = await slo('metrics.yml', `defaults:\n  errorRate: 0.01\nmetrics:
  shop.orders: { min: 1000, max: 100 }
  shop.clicks: { max: 1000 }
  shop.checkout_ms: { p95: 200, max: 30 }
  shop.never_emitted: { max: 1 }
`);
  const out = join(root, 'metrics');
  const ran = rampart(['gate', baselineRun, '--slo', budgets, '--out', out]);
  assert.equal(ran.code, 1, ran.stderr + ran.stdout);
  assert.match(ran.stdout, /BREACHED shop\.orders min 30 < 1000/);
  assert.match(ran.stdout, /BREACHED shop\.checkout_ms max \d+\.\d ms > 30\.0 ms/);
  assert.doesNotMatch(ran.stdout, /BREACHED shop\.(clicks|checkout_ms p95)|BREACHED shop\.orders max/);
  assert.match(ran.stdout, /BREACHED ensure shop\.checkout_ms\.p95 < 10 \d+(\.\d+)? > 10/);
  assert.doesNotMatch(ran.stdout, /BREACHED ensure (http|shop\.orders)/);
  assert.match(ran.stdout, /WARNING {2}shop\.never_emitted: the run never emitted this metric, so its budgets \(max\) were not checked/);
  const result = JSON.parse(await readFile(join(out, 'gate.json'), 'utf8')) as GateResult;
  const find = (scope: string, metric: string) => result.slo.find((c) => c.scope === scope && c.metric === metric);
  assert.deepEqual([find('shop.orders', 'max')?.actual, find('shop.orders', 'max')?.unit, find('shop.clicks', 'max')?.unit], [30, 'count', 'rate']);
  assert.ok((find('shop.clicks', 'max')?.actual ?? 0) > 0);
  assert.ok((find('shop.checkout_ms', 'p95')?.actual ?? 0) >= 40, 'the histogram p95 is the processor\'s 40-60 ms');
  assert.deepEqual(find('ensure', 'shop.checkout_ms.p95 < 10')?.passed, false);
  assert.deepEqual(find('ensure', 'http.response_time.p99 < 5000')?.passed, true);
  assert.deepEqual(find('ensure', 'shop.orders > 1000 (optional, failed)')?.actual, 30);
  const html = await readFile(join(out, 'report.html'), 'utf8');
  const rows = html.match(/<td class="key">(ensure|shop\.orders)<\/td>.{0,160}/g)?.join('\n') ?? '(no rows)';
  assert.match(html, /<td class="key">ensure<\/td><td>shop\.checkout_ms\.p95 &lt; 10<\/td><td class="num">≤ 10<\/td>/, rows);
  assert.match(html, /<td class="key">shop\.clicks \(rate, per second\)<\/td><td class="num">\d+<\/td>/, 'the custom rate is shown beside the counters');
  assert.match(html, /<td class="key">shop\.orders<\/td><td>min<\/td><td class="num">≥ 1,000<\/td><td class="num">30<\/td><td><span class="badge badge-fail">breached/);

  // a percentile budget on a counter is a mistake in the SLO file: one line, exit 2
  const wrong = await slo('wrong-kind.yml', 'metrics:\n  shop.orders: { p95: 10 }\n');
  const bad = rampart(['gate', baselineRun, '--slo', wrong, '--no-report']);
  assert.equal(bad.code, 2, bad.stderr + bad.stdout);
  assert.match(bad.stderr, /wrong-kind\.yml:2: metrics\."shop\.orders"\.p95: 'shop\.orders' is a counter in this run, whose budgets are min and max/);
});
