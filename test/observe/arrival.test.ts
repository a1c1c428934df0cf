// The arrival check after a run, against a real Pushgateway started here (Debian's binary, a free
// loopback port, stopped by its pid): the final figures as Artillery left them, the repair when its
// last push is missing, deletion of the run's groups, and an unreachable Pushgateway (a warning, or
// exit 3 with --require-metrics). Also the settings and what a run publishes, pure.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { EXIT } from '../../src/core/errors.ts';
import { freePort } from '../../src/run/platform.ts';
import { checkArrival } from '../../src/observe/arrival.ts';
import { exitAfterArrival } from '../../src/observe/index.ts';
import { parseObserve } from '../../src/observe/config.ts';
import { artilleryGroup, publishPlan, publishedName, statusGroup, type RunIdentity } from '../../src/observe/publish.ts';
import { exposition, pushAdd, readGroup, readGroups } from '../../src/observe/pushgateway.ts';
import { plannedArrivals, statusText } from '../../src/observe/status.ts';
import { BINARIES, findBinary } from '../../src/observe/stack.ts';
import { isOneLineUsageError, skipUnlessCi } from '../support.ts';

let gateway: ChildProcess | undefined;
let url = '';
const run: RunIdentity = { profile: 'baseline', runId: '20261201T230000-baseline-ab12', gitRevision: 'abc123', flows: ['analyst-triage', 'sensor-ingest'] };

/** Debian's prometheus-pushgateway (.ci/run installs it), or why the Pushgateway tests are skipped. */
const SKIP = skipUnlessCi(findBinary(BINARIES.pushgateway.bin) === null ? 'prometheus-pushgateway is not installed (apt-get install prometheus-pushgateway)' : false);

before(async () => {
  if (SKIP !== false) return;
  const port = await freePort();
  url = `http://127.0.0.1:${String(port)}`;
  gateway = spawn(BINARIES.pushgateway.bin, [`--web.listen-address=127.0.0.1:${String(port)}`, '--persistence.file='], { stdio: 'ignore' });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the Pushgateway did not start');
});

after(() => {
  if (gateway?.pid !== undefined) process.kill(gateway.pid, 'SIGTERM');
});

/** What Artillery's publish-metrics pushes: its counters family in the run's group, with its tags. */
async function pushAsArtillery(requests: number): Promise<void> {
  const labels = { git_revision: 'abc123', flows: 'analyst-triage+sensor-ingest' };
  await pushAdd(url, artilleryGroup(run), exposition({
    artillery_counters: { type: 'counter', help: 'counters', samples: [
      { labels: { ...labels, metric: 'http_requests' }, value: requests },
      { labels: { ...labels, metric: 'vusers_created' }, value: 10 },
    ] },
  }));
}

test('the final figures as Artillery pushed them: arrived, nothing re-pushed', { skip: SKIP }, async () => {
  await pushAsArtillery(120);
  const result = await checkArrival({ pushgateway: url, prometheus: null, run, counters: { 'http.requests': 120, 'vusers.created': 10 }, deleteGroups: false });
  assert.equal(result.arrived, true);
  assert.match(result.lines[0], /holds the final request count \(120\) as Artillery pushed it/);
});

test('Artillery\'s last push missing: Rampart pushes the bundle\'s final counters into the same family, then deletes the groups', { skip: SKIP }, async () => {
  await pushAsArtillery(90);
  await pushAdd(url, statusGroup(run), statusText({ pushgateway: url, group: statusGroup(run), phases: [{ duration: 60, arrivalRate: 2 }], startedAtMs: Date.now() }, Date.now(), false));
  const counters = { 'http.requests': 120, 'vusers.created': 12, 'errors.ETIMEDOUT': 1 };
  const result = await checkArrival({ pushgateway: url, prometheus: null, run, counters, deleteGroups: false });
  assert.equal(result.arrived, true);
  assert.match(result.lines[0], /left 90 of 120 requests .*group now holds 120$/);
  const group = await readGroup(url, artilleryGroup(run));
  const byMetric = Object.fromEntries((group?.families.artillery_counters ?? []).map((s) => [s.labels.metric, s]));
  assert.equal(byMetric.errors_etimedout.value, 1);
  assert.equal(byMetric.vusers_created.value, 12);
  assert.equal(byMetric.http_requests.labels.git_revision, 'abc123');

  const deleted = await checkArrival({ pushgateway: url, prometheus: null, run, counters, deleteGroups: true });
  assert.match(deleted.lines.at(-1) ?? '', /deleted the run's groups/);
  assert.deepEqual((await readGroups(url)).filter((g) => g.labels.run_id === run.runId), []);
});

test('an unreachable Pushgateway: a warning, and exit 3 only with --require-metrics', async () => {
  const down = `http://127.0.0.1:${String(await freePort())}`;
  const result = await checkArrival({ pushgateway: down, prometheus: null, run, counters: { 'http.requests': 5 }, deleteGroups: false });
  assert.equal(result.arrived, false);
  assert.match(result.lines[0], /^metrics did not arrive: http:\/\/127\.0\.0\.1:\d+ did not answer/);
  assert.equal(exitAfterArrival(EXIT.ok, false, result), EXIT.ok);
  assert.equal(exitAfterArrival(EXIT.ok, true, result), EXIT.untrustworthy);
  assert.equal(exitAfterArrival(EXIT.checkFailed, true, result), EXIT.untrustworthy);
});

test('what a run publishes: the plugin entry, its group through WORKER_ID, names as the plugin writes them', () => {
  const plan = publishPlan('http://127.0.0.1:9091', run);
  assert.deepEqual(plan.plugin, [{ type: 'prometheus', pushgateway: 'http://127.0.0.1:9091', prefix: 'artillery', tags: ['git_revision:abc123', 'flows:analyst-triage+sensor-ingest'] }]);
  assert.equal(plan.env.WORKER_ID, 'baseline/run_id/20261201T230000-baseline-ab12');
  assert.equal(publishedName('plugins.metrics-by-endpoint.response_time.GET /api/v1/alerts/:id'), 'plugins_metrics-by-endpoint_response_time_get_/api/v1/alerts/:id');
  assert.equal(exposition({ m: { type: 'gauge', help: 'h', samples: [{ labels: { a: 'x"y\\z\nw' }, value: 1 }] } }), '# HELP m h\n# TYPE m gauge\nm{a="x\\"y\\\\z\\nw"} 1\n');
});

test('planned arrivals up to a moment, as the plugin plans them: constant rates, ramps of whole arrivals per second, counts, pauses', () => {
  const phases = [{ duration: 10, arrivalRate: 2 }, { duration: 10, arrivalRate: 2, rampTo: 4 }, { duration: 5, pause: 5 }, { duration: 10, arrivalCount: 30 }];
  assert.equal(plannedArrivals(phases, 5), 10);
  // the ramp's seconds, as Artillery runs them: round(2 + 2 i / 9) for i = 0..9 = 2,2,2,3,3,3,3,4,4,4
  assert.equal(plannedArrivals(phases, 20), 20 + 30);
  assert.equal(plannedArrivals(phases, 25), 50);
  assert.equal(plannedArrivals(phases, 30), 65);
  assert.equal(plannedArrivals(phases, 1000), 80);
  assert.equal(plannedArrivals(phases, -3), 0);
});

test('settings: off by default, the environment over the file, bad values one line (exit 2)', () => {
  assert.deepEqual(parseObserve(null, 'rampart.config.yml'), { pushgateway: null, prometheus: null, deleteGroup: false });
  assert.deepEqual(parseObserve({ observe: { pushgateway: 'http://127.0.0.1:9091/', deleteGroup: true } }, 'c.yml', { RAMPART_PROMETHEUS: 'http://127.0.0.1:9090' }),
    { pushgateway: 'http://127.0.0.1:9091', prometheus: 'http://127.0.0.1:9090', deleteGroup: true });
  assert.equal(parseObserve({ observe: { pushgateway: 'http://a:1' } }, 'c.yml', { RAMPART_PUSHGATEWAY: 'http://b:2' }).pushgateway, 'http://b:2');
  assert.throws(() => parseObserve({ observe: { pushgateway: 'ftp://x' } }, 'c.yml'), (e) => isOneLineUsageError(e, /^c\.yml: observe\.pushgateway 'ftp:\/\/x' must be an http/));
  assert.throws(() => parseObserve({ observe: { deleteGroup: 'yes' } }, 'c.yml'), (e) => isOneLineUsageError(e, /observe\.deleteGroup must be true or false/));
});
