// End to end, against real processes started here on loopback: the reference platform, Debian's
// Prometheus, Pushgateway, Alertmanager and exporters (src/observe/stack.ts), a webhook receiver and
// a headless Chromium (Debian's /usr/bin/chromium through playwright-core). One short
// `rampart run --observe --dashboard` publishes through Artillery's publish-metrics to that stack;
// Prometheus's figure of the run's requests equals the bundle's; a budget that cannot hold
// (ci/slo-style file of the test's own) makes exactly one alert fire and reach the webhook through
// Alertmanager; the run's groups are deleted afterwards; every dashboard panel's query returns data;
// and the live page, watched while the run goes, updates, stays on 127.0.0.1, keeps a hostile
// endpoint name inert and links the report at the end. Every process is stopped by its pid (the
// browser by closing it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/core/paths.ts';
import { executeRun } from '../../src/run/command.ts';
import { parseRunArgs } from '../../src/run/args.ts';
import { freePort, startPlatform, type StartedPlatform } from '../../src/run/platform.ts';
import { missingBinaries, startStack, stopStack } from '../../src/observe/stack.ts';
import type { StackState } from '../../src/observe/stack-state.ts';
import { loadBudgets } from '../../src/observe/slo-budgets.ts';
import { budgetRules } from '../../src/observe/rules.ts';
import { readGroups } from '../../src/observe/pushgateway.ts';
import type { ArtilleryOutput } from '../../src/core/bundle/types.ts';
import { chromium, type BrowserContext } from 'playwright-core';
import { skipUnlessCi } from '../support.ts';

interface Webhook { alerts: { status: string; labels: Record<string, string> }[] }

let work: string;
let platform: StartedPlatform | undefined;
let stack: StackState | undefined;
let receiver: Server | undefined;
let browser: BrowserContext | undefined;
const received: Webhook[] = [];
const CHROMIUM = '/usr/bin/chromium';
/** Why this machine cannot run the test (CI installs everything: .ci/run), or false. */
const SKIP = skipUnlessCi(missingBinaries().advice ?? (existsSync(CHROMIUM) ? false : `${CHROMIUM} is not installed (apt-get install chromium)`));
const HOSTILE = 'GET /health <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

// Open endpoints at a steady rate, and the repository's incident-response flow (attacks to detect and
// correlate, so the security panels have figures), with the smoke profile's short think times.
// 32 s: Artillery pushes a period at each 10 s boundary of the clock, so the first figures can come
// 10 s in, and the latency alert must then hold for its 10 s `for:` before the run marks itself done.
const PROFILE = `phases:
    - name: steady
      duration: 32
      arrivalRate: 3
  bundling:
    external: ['@faker-js/faker']
  http:
    timeout: 30
  variables:
    thinkShort: "20ms"
    thinkLong: "50ms"
    sensorInterval: "50ms"
    batchesPerSensor: 2
    batchSize: 20
    feedSize: 20
    analysts: 3
    reportPollInterval: "200ms"
  rampart:
    description: Three open platform endpoints and incident response.
    mix:
      probe: 6
      incident-response: 1
`;
const FLOW = `scenarios:
  - name: probe
    flow:
      - get: { url: /health, name: GET /health }
      - get: { url: /health, name: ${JSON.stringify(HOSTILE)} }
      - get: { url: /ready, name: GET /ready }
      - get: { url: /metrics, name: GET /metrics }
`;
// GET /metrics renders the platform's whole registry: it never answers within 0 ms at its slowest.
const SLO = `defaults:
  p95: 60000
  p99: 60000
endpoints:
  "GET /metrics":
    max: 0
run:
  errorRate: 0.5
`;

interface Series { metric: Record<string, string>; value: [number, string] }

/** An instant query (at `time`, Unix seconds, when given); a query Prometheus refuses fails the test. */
async function query(promql: string, time?: number): Promise<Series[]> {
  const at = time === undefined ? '' : `&time=${String(time)}`;
  const response = await fetch(`${stack?.urls.prometheus ?? ''}/api/v1/query?query=${encodeURIComponent(promql)}${at}`);
  const body = (await response.json()) as { status: string; error?: string; data: { result: Series[] } };
  assert.equal(body.status, 'success', `${promql}: ${body.error ?? ''}`);
  return body.data.result;
}

/** When each alert was pending or firing and when the run was marked active, in seconds from `start`:
 * what a failed webhook check needs to tell a late alert from one that never held for its `for:`. */
async function alertHistory(start: number, end: number): Promise<string> {
  const spans: string[] = [];
  for (const promql of ['ALERTS', 'rampart_run_active', 'rampart:endpoint_latency_ms{endpoint="GET /metrics",stat="max"}']) {
    const response = await fetch(`${stack?.urls.prometheus ?? ''}/api/v1/query_range?query=${encodeURIComponent(promql)}&start=${String(start)}&end=${String(end)}&step=1`);
    const body = (await response.json()) as { data: { result: { metric: Record<string, string>; values: [number, string][] }[] } };
    for (const series of body.data.result) {
      const first = series.values[0];
      const last = series.values.at(-1) ?? first;
      const name = [series.metric.__name__, series.metric.alertname, series.metric.alertstate].filter(Boolean).join(' ');
      spans.push(`${name}: ${first[1]}..${last[1]} from +${(first[0] - start).toFixed(0)} s to +${(last[0] - start).toFixed(0)} s`);
    }
  }
  return `no firing alert reached the webhook; run ${(end - start).toFixed(0)} s ago; ${spans.join('; ') || 'no series'}`;
}

/** The platform's embedded PostgreSQL, from its postmaster.pid (line 4: the port); the superuser's
 * password is the one platform/db/embedded.ts gives the clusters it creates. */
async function embeddedDatabaseUrl(dataDir: string): Promise<string> {
  const port = (await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[3].trim();
  return `postgresql://postgres:rampart-embedded@127.0.0.1:${port}/postgres?sslmode=disable`;
}

before(async () => {
  if (SKIP !== false) return;
  work = await mkdtemp(path.join(tmpdir(), 'rampart-observe-'));
  const suite = path.join(work, 'suite');
  for (const dir of ['phases', 'scenarios', 'slo']) await mkdir(path.join(suite, dir), { recursive: true });
  await writeFile(path.join(suite, 'phases', 'live.yml'), `config:\n  ${PROFILE}`);
  await writeFile(path.join(suite, 'scenarios', 'probe.yml'), FLOW);
  await copyFile(path.join(REPO_ROOT, 'scenarios', 'incident-response.yml'), path.join(suite, 'scenarios', 'incident-response.yml'));
  await writeFile(path.join(suite, 'slo', 'defaults.yml'), SLO);
  const budgets = await loadBudgets(path.join(suite, 'slo'), ['live'], suite);
  const budgetFile = path.join(work, 'slo-budgets.yml');
  await writeFile(budgetFile, budgetRules(budgets, budgets[0].run, ['slo/defaults.yml']));

  const webhookPort = await freePort();
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      received.push(JSON.parse(body) as Webhook);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver?.listen(webhookPort, '127.0.0.1', resolve));

  platform = await startPlatform({ root: REPO_ROOT, logFile: path.join(work, 'platform.log'), readyTimeoutMs: 120_000 });
  const ports = { prometheus: await freePort(), pushgateway: await freePort(), alertmanager: await freePort(), nodeExporter: await freePort(), postgresExporter: await freePort() };
  const rules = path.join(REPO_ROOT, 'observability', 'prometheus', 'rules');
  stack = await startStack({
    dir: path.join(work, 'stack'),
    ports,
    platform: new URL(platform.url).host,
    databaseUrl: await embeddedDatabaseUrl(platform.dataDir),
    webhookUrl: `http://127.0.0.1:${String(webhookPort)}/alerts`,
    ruleFiles: [path.join(rules, 'recordings.yml'), path.join(rules, 'alerts.yml'), budgetFile],
    scrapeInterval: '1s',
    evaluationInterval: '1s',
    groupWait: '1s',
  });
  browser = await chromium.launchPersistentContext(path.join(work, 'chromium'), {
    executablePath: CHROMIUM,
    headless: true,
    timeout: 60_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}, { timeout: 180_000 });

after(async () => {
  await browser?.close();
  if (stack !== undefined) await stopStack(stack);
  await platform?.stop();
  receiver?.close();
  if (SKIP === false) await rm(work, { recursive: true, force: true });
});

interface LiveVisit {
  /** the page's totals line, each time it changed */
  totals: string[];
  finalLink: boolean;
  pwned: unknown;
  images: number;
  hostileCells: number;
  charts: number;
  reportStatus: number | null;
  reportGenerator: string | null;
  requests: string[];
  consoleErrors: string[];
}

/** Watch the live page from its first load until it links the report, then open the report. */
async function visitLivePage(url: string): Promise<LiveVisit> {
  if (browser === undefined) throw new Error('no browser');
  const page = await browser.newPage();
  const visit: LiveVisit = { totals: [], finalLink: false, pwned: undefined, images: 0, hostileCells: 0, charts: 0, reportStatus: null, reportGenerator: null, requests: [], consoleErrors: [] };
  page.on('request', (r) => visit.requests.push(r.url()));
  page.on('console', (m) => { if (m.type() === 'error') visit.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => visit.consoleErrors.push(e.message));
  await page.goto(url);
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline && !visit.finalLink) {
    await page.waitForLoadState('load');
    const totals = await page.locator('#totals').textContent().catch(() => null);
    if (totals !== null && visit.totals.at(-1) !== totals) visit.totals.push(totals);
    visit.finalLink = (await page.locator('#final-report').count()) === 1;
    if (!visit.finalLink) await page.waitForTimeout(1000);
  }
  visit.pwned = await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned);
  visit.images = await page.locator('main img').count();
  visit.hostileCells = await page.locator('td', { hasText: '<img src=x onerror=' }).count();
  visit.charts = await page.evaluate(() => (globalThis as unknown as { __rampartCharts?: number }).__rampartCharts ?? 0);
  if (visit.finalLink) {
    const [response] = await Promise.all([page.waitForEvent('response', (r) => r.url().endsWith('/report.html')), page.locator('#final-report').click()]);
    visit.reportStatus = response.status();
    await page.waitForLoadState('load');
    visit.reportGenerator = await page.locator('meta[name="generator"]').getAttribute('content');
  }
  await page.close();
  return visit;
}

test('a run published to the Pushgateway: Prometheus counts its requests as the bundle does, one alert reaches the webhook, its groups are deleted; its live page', { timeout: 240_000, skip: SKIP }, async (t) => {
  // --observe finds the stack startStack recorded in its folder (stack.json): its Pushgateway and Prometheus.
  const env = process.env;
  env.RAMPART_OBSERVE_DIR = path.join(work, 'stack');
  const lines: string[] = [];
  const live: { visit: Promise<LiveVisit> | null } = { visit: null };
  let result;
  try {
    const progress = (line: string): void => {
      lines.push(line);
      const url = /^live page: (http:\/\/127\.0\.0\.1:\d+\/)$/.exec(line)?.[1];
      if (url !== undefined) live.visit = visitLivePage(url);
    };
    result = await executeRun(parseRunArgs(['live', '--observe', '--dashboard', '--require-metrics', '--delete-metrics', '--reports-dir', path.join(work, 'reports')]), { progress, platform }, path.join(work, 'suite'));
  } finally {
    delete env.RAMPART_OBSERVE_DIR;
  }
  assert.equal(result.exitCode, 0, lines.join('\n'));
  t.diagnostic(lines.filter((l) => l.startsWith('metrics')).join(' | '));
  const artillery = JSON.parse(await readFile(path.join(result.bundleDir, 'artillery.json'), 'utf8')) as ArtilleryOutput;
  const requests = artillery.aggregate.counters['http.requests'];
  assert.ok(requests > 200, `requests: ${String(requests)}`);

  // The group is gone by now: over the last two minutes, the highest value Prometheus scraped.
  const [seen] = await query(`max_over_time(artillery_counters{job="live",run_id="${result.manifest.runId}",metric="http_requests"}[2m])`);
  assert.equal(Number(seen.value[1]), requests, lines.join('\n'));
  assert.ok(lines.some((l) => l.includes('has scraped the final request count')), lines.join('\n'));

  const at = Date.parse(result.manifest.endedAt ?? '') / 1000 - 2;
  // Endpoint keys come back from the plugin's lower-cased metric names, route parameters included.
  const keys = new Set((await query(`rampart:endpoint_latency_ms{run_id="${result.manifest.runId}",stat="p95"}`, at)).map((s) => s.metric.endpoint));
  for (const key of ['GET /health', 'GET /ready', 'GET /metrics', 'POST /api/v1/events/batch', 'GET /api/v1/incidents/:id']) assert.ok(keys.has(key), `${key} in ${[...keys].join(', ')}`);

  // Alertmanager delivers a few seconds after Prometheus fires; on a busy machine that can be after the run.
  const firingAlerts = (): Webhook['alerts'] => received.flatMap((w) => w.alerts).filter((a) => a.status === 'firing');
  for (const waitUntil = Date.now() + 20_000; firingAlerts().length === 0 && Date.now() < waitUntil;) await new Promise((resolve) => setTimeout(resolve, 500));
  const firing = firingAlerts();
  const history = firing.length > 0 ? '' : await alertHistory(Date.parse(result.manifest.startedAt) / 1000, Date.now() / 1000);
  assert.deepEqual([...new Set(firing.map((a) => `${a.labels.alertname} ${a.labels.endpoint} ${a.labels.stat}`))], ['RampartEndpointLatencyAboveBudget GET /metrics max'], history);
  assert.equal(firing[0].labels.run_id, result.manifest.runId);

  const groups = await readGroups(stack?.urls.pushgateway ?? '');
  assert.deepEqual(groups.filter((g) => g.labels.run_id === result.manifest.runId), []);

  // Every dashboard panel's query, as Grafana would send it for this run, a moment before it ended.
  const dir = path.join(REPO_ROOT, 'observability', 'grafana', 'dashboards');
  const empty: string[] = [];
  let checked = 0;
  for (const file of await readdir(dir)) {
    const dashboard = JSON.parse(await readFile(path.join(dir, file), 'utf8')) as { panels: { title: string; targets: { expr: string }[] }[] };
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const expr = target.expr.replaceAll('$profile', 'live').replaceAll('$run', result.manifest.runId);
        checked += 1;
        if ((await query(expr, at)).length === 0) empty.push(`${file} '${panel.title}': ${expr}`);
      }
    }
  }
  assert.deepEqual(empty, [], `panels without data (of ${String(checked)} queries)`);

  // The live page: updated at least twice, never left 127.0.0.1, ran nothing of the hostile name.
  assert.ok(live.visit !== null, 'the run announced its live page');
  const visit = await live.visit;
  t.diagnostic(`live page states: ${visit.totals.join(' | ')}`);
  assert.ok(visit.totals.length >= 3, `updates: ${visit.totals.join(' | ')}`);
  assert.equal(visit.finalLink, true);
  assert.equal(visit.reportStatus, 200);
  assert.equal(visit.reportGenerator, 'rampart report');
  assert.equal(visit.pwned, undefined);
  assert.equal(visit.images, 0);
  assert.ok(visit.hostileCells >= 1, 'the hostile name is shown as text');
  assert.ok(visit.charts >= 3, `charts drawn: ${String(visit.charts)}`);
  assert.deepEqual(visit.requests.filter((r) => !r.startsWith('http://127.0.0.1:')), []);
  assert.deepEqual(visit.consoleErrors, []);
});
