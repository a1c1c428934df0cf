// The platform sampler (src/sample) against the real platform and its real embedded PostgreSQL,
// one platform start for the file: the resources it records, the pg_stat_statements delta of a
// statement this test causes through the API (with its plan), a --target without DATABASE_URL
// (missing lines, shown by the report), the report of the bundle (charts and the statements table),
// and a database that goes away while sampling (recorded in missing, stop() stays bounded).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../src/core/paths.ts';
import { bundleFile } from '../../src/core/bundle/files.ts';
import { readBundleFile } from '../../src/core/bundle/read.ts';
import { startPlatform, type StartedPlatform } from '../../src/run/platform.ts';
import { givenTargetTargets, ownPlatformTargets, startSampler, type SamplerResult } from '../../src/sample/index.ts';
import { writeReports } from '../../src/report/index.ts';
import { syntheticBundle, writeBundle } from '../report/fixtures.ts';

let work = '';
let platform: StartedPlatform | null = null;
let sampled: SamplerResult | null = null;
const SEARCHES = 6;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'rampart-sample-test-'));
  platform = await startPlatform({ root: REPO_ROOT, logFile: path.join(work, 'platform.log'), readyTimeoutMs: 60_000 });
});
after(async () => {
  await platform?.stop();
  await rm(work, { recursive: true, force: true });
});

const running = (): StartedPlatform => {
  assert.ok(platform !== null, 'the platform started');
  return platform;
};

async function searchEvents(url: string, times: number): Promise<void> {
  const login = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'admin-demo-pass' }),
  });
  assert.equal(login.status, 200);
  const { accessToken } = (await login.json()) as { accessToken: string };
  for (let i = 0; i < times; i++) {
    const res = await fetch(`${url}/api/v1/events?username=sampler-test-${i}`, { headers: { authorization: `Bearer ${accessToken}` } });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
  }
}

test('the sampler records the platform, its database, the generator and the statements this test caused', { timeout: 30_000 }, async () => {
  const p = running();
  const bundleDir = path.join(work, 'own');
  await mkdir(bundleDir);
  const targets = await ownPlatformTargets(p);
  assert.deepEqual(targets.missing, []);
  // a 1 s interval, as a sample waits for its /metrics scrape at most one interval: beside another
  // test file on the 2 cores a scrape of the niced platform took over 300 ms, and the sample was then
  // (rightly) recorded as missing the platform's gauges
  const sampler = await startSampler({ ...targets, bundleDir, intervalMs: 1000, explainTop: 200 });
  sampler.setGeneratorPid(process.pid); // this process stands in for Artillery
  await searchEvents(p.url, SEARCHES);
  // a backend publishes its counts to pg_stat_database when idle, at most once a second, later still
  // when it waits for a core (the platform and its database run niced): wait past that, then sample
  await new Promise((r) => setTimeout(r, 3000));
  const started = Date.now();
  sampled = await sampler.stop();
  assert.ok(Date.now() - started < 8000, 'stop() is bounded');

  const resources = await readBundleFile(bundleFile(bundleDir, 'resources'), 'resources');
  assert.deepEqual(resources.sources, { platform: 'proc', database: 'postgres', generator: 'proc' });
  assert.deepEqual(resources.missing, []);
  assert.ok(resources.samples.length >= 3, `samples: ${resources.samples.length}`);
  const last = resources.samples.at(-1);
  assert.ok(last?.platform !== undefined && last.platform.rssBytes > 10 * 2 ** 20, 'platform RSS');
  assert.ok(last.platform.heapUsedBytes !== undefined && last.platform.eventLoopDelayP99Ms !== undefined && last.platform.handles !== undefined);
  assert.ok(resources.samples.some((s) => (s.platform?.cpuUserPercent ?? 0) + (s.platform?.cpuSystemPercent ?? 0) > 0), 'the API calls used platform CPU');
  assert.ok(last.databaseProcess !== undefined && last.databaseProcess.rssBytes > 0, 'PostgreSQL process tree');
  assert.ok(last.pool !== undefined && last.pool.total >= 1, 'pool gauges from /metrics');
  assert.ok(last.database !== undefined && last.database.idle + last.database.active >= 1, 'the pool\'s backends, not the sampler\'s');
  assert.ok(resources.samples.some((s) => (s.database?.rowsRead ?? 0) > 0), 'rows read');
  assert.ok(last.generator !== undefined && last.generator.rssBytes > 0);
  assert.ok(last.host !== undefined && last.host.cpuPercent >= 0);
  assert.ok(Object.keys(last.queues ?? {}).some((name) => name.startsWith('rampart_detection_backlog')), 'the detection backlog gauge');
  assert.ok(resources.sampler !== undefined && resources.sampler.cpuMsPerSample > 0);

  const statements = await readBundleFile(bundleFile(bundleDir, 'statements'), 'statements');
  const search = statements.statements.find((s) => /FROM events/i.test(s.query) && /username/.test(s.query) && s.calls >= SEARCHES);
  assert.ok(search !== undefined, `the event search is in the delta: ${statements.statements.map((s) => `${s.calls}× ${s.query.slice(0, 60)}`).join(' | ')}`);
  assert.ok(search.totalExecMs > 0 && search.meanExecMs > 0 && search.sharedBlksHit + search.sharedBlksRead > 0);
  assert.ok(statements.statements.every((s) => !/pg_stat_(statements|activity)/.test(s.query)), 'the sampler\'s own statements are left out');
  const plan = statements.plans.find((x) => x.queryId === search.queryId);
  assert.ok(plan !== undefined && plan.plan !== null && typeof (plan.plan as { 'Node Type'?: unknown })['Node Type'] === 'string', JSON.stringify(plan));
  assert.ok(statements.plans.some((x) => x.queryId === statements.statements[0].queryId), 'the top statement is explained');
  assert.ok(statements.plans.every((x) => x.plan !== null || typeof x.error === 'string'), 'a statement that cannot be explained has an error');
});

test('the report of a bundle with resources.json shows the resource charts and the top statements', { timeout: 20_000 }, async () => {
  assert.ok(sampled !== null, 'the first test sampled');
  const dir = path.join(work, 'own');
  const first = sampled.resources.samples[0].t;
  await writeBundle(syntheticBundle({ start: first - (first % 10_000), periods: 2 }), dir);
  const written = await writeReports(dir);
  const html = await readFile(written.html, 'utf8');
  for (const id of ['chart-res-cpu', 'chart-res-memory', 'chart-res-pool', 'chart-res-rows', 'chart-res-queues']) assert.match(html, new RegExp(`id="${id}"`));
  assert.match(html, /Platform resources and SQL/);
  assert.match(html, /<h3 id="top-statements">Top statements by total time<\/h3>/);
  assert.match(html, /<th class="num">Share<\/th><th class="num">Blocks hit<\/th><th class="num">Blocks read<\/th>/);
  assert.match(html, /<code title="[^"]*FROM events[^"]*username/);
  const data = JSON.parse(/<script type="application\/json" id="rampart-data">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '{}') as { charts: { id: string; range?: number[] }[] };
  const latency = data.charts.find((c) => c.id === 'chart-latency');
  const cpu = data.charts.find((c) => c.id === 'chart-res-cpu');
  assert.ok(latency?.range !== undefined && cpu?.range !== undefined);
  assert.deepEqual(latency.range, cpu.range, 'resources and latency share one time axis');
});

test('--target without DATABASE_URL: /metrics only, the missing parts said, and the report shows them', { timeout: 20_000 }, async () => {
  const p = running();
  const bundleDir = path.join(work, 'target');
  await mkdir(bundleDir);
  const targets = givenTargetTargets(p.url, {});
  const sampler = await startSampler({ ...targets, bundleDir, intervalMs: 1000 });
  // CPU from /metrics is a difference of two scrapes, and a scrape that misses its interval counts in
  // the next sample: a 1 s interval and 3 s leave room for several even beside another test file on
  // the 2 cores (a 300 ms interval and 700 ms once gave a last sample without the platform's figures)
  await new Promise((r) => setTimeout(r, 3000));
  const { resources, statements } = await sampler.stop();
  assert.equal(statements, null);
  assert.deepEqual(resources.sources, { platform: 'metrics', database: null, generator: null });
  assert.ok(resources.missing.some((line) => /^database: --target given without DATABASE_URL/.test(line)), resources.missing.join(' | '));
  assert.ok(resources.missing.some((line) => /^platform disk I\/O/.test(line)));
  const last = resources.samples.at(-1);
  assert.ok(last?.platform !== undefined && last.platform.rssBytes > 0 && last.pool !== undefined, 'CPU, RSS and pool from /metrics');
  assert.equal(last.database, undefined);

  await writeBundle(syntheticBundle({ periods: 2 }), bundleDir);
  const html = await readFile((await writeReports(bundleDir)).html, 'utf8');
  assert.match(html, /<div class="missing" id="platform-missing"><p><strong>Not sampled:<\/strong><\/p><ul><li>/);
  assert.match(html, /database: --target given without DATABASE_URL; set DATABASE_URL/);
  assert.match(html, /No statement figures \(statements.json\)/);
});

test('a database that goes away while sampling is recorded in missing; stop() stays bounded', { timeout: 30_000 }, async () => {
  const p = running();
  const bundleDir = path.join(work, 'lost');
  await mkdir(bundleDir);
  const targets = await ownPlatformTargets(p);
  const sampler = await startSampler({ ...targets, bundleDir, intervalMs: 300 });
  await new Promise((r) => setTimeout(r, 500));
  assert.ok(targets.postmasterPid !== null);
  process.kill(targets.postmasterPid, 'SIGINT'); // fast shutdown: every backend, the sampler's too, is ended
  await new Promise((r) => setTimeout(r, 1000));
  const started = Date.now();
  const { resources, statements } = await sampler.stop();
  assert.ok(Date.now() - started < 8000, 'stop() is bounded');
  assert.equal(statements, null);
  assert.ok(resources.missing.some((line) => /^database: the connection failed at/.test(line)), resources.missing.join(' | '));
  assert.ok(resources.missing.some((line) => /^statements: /.test(line)));
  assert.ok(resources.samples.some((s) => s.database !== undefined), 'what was sampled before is kept');
  assert.ok(resources.samples.some((s) => s.platform !== undefined && s.database === undefined), 'later samples go on without the database');
});
