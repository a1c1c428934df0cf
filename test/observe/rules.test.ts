// The rules, configuration and dashboards of observability/: promtool runs every alert's firing and
// not-firing case and checks the Prometheus configuration with its rule files, amtool checks the
// Alertmanager configuration, the generated files are up to date with ci/slo/ and the code, and
// the budgets the rules carry are the ones the gate reads from the same files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { DEFAULT_SLO_DIR, REPO_ROOT } from '../../src/core/paths.ts';
import { generate } from '../../src/observe/command.ts';
import { findBinary } from '../../src/observe/stack.ts';
import { profileNames } from '../../src/observe/generate.ts';
import { loadBudgets } from '../../src/observe/slo-budgets.ts';
import { endpointBudget, loadSlo } from '../../src/gate/slo.ts';
import { skipUnlessCi } from '../support.ts';

const run = promisify(execFile);
/** promtool and amtool come with Debian's prometheus and prometheus-alertmanager (.ci/run installs them). */
const SKIP = skipUnlessCi(findBinary('promtool') === null || findBinary('amtool') === null ? 'promtool or amtool is missing: apt-get install prometheus prometheus-alertmanager' : false);
const OBS = path.join(REPO_ROOT, 'observability');

test('promtool: every alert rule fires in one case and stays quiet in another', { skip: SKIP }, async () => {
  const dir = path.join(OBS, 'prometheus', 'tests');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.test.yml'));
  const { stdout } = await run('promtool', ['test', 'rules', ...files], { cwd: dir, timeout: 60_000 });
  assert.equal(stdout.match(/SUCCESS/g)?.length, files.length, stdout);

  // Each alert of alerts.yml appears in a test expecting it to fire and in one expecting nothing.
  const alerts = (parse(await readFile(path.join(OBS, 'prometheus', 'rules', 'alerts.yml'), 'utf8')) as { groups: { rules: { alert: string }[] }[] })
    .groups.flatMap((g) => g.rules.map((r) => r.alert));
  const cases = new Map<string, { fires: boolean; quiet: boolean }>();
  for (const file of files) {
    const doc = parse(await readFile(path.join(dir, file), 'utf8')) as { tests: { input_series: { series: string }[]; alert_rule_test: { alertname: string; exp_alerts: { exp_labels: Record<string, string> }[] }[] }[] };
    for (const t of doc.tests) {
      // the runs (run_id) or instances a test's series belong to
      const subjects = t.input_series.map((s) => /(?:run_id|instance)="([^"]*)"/.exec(s.series)?.[1]).filter((id) => id !== undefined);
      for (const a of t.alert_rule_test) {
        const seen = cases.get(a.alertname) ?? { fires: false, quiet: false };
        if (a.exp_alerts.length > 0) seen.fires = true;
        // quiet: nothing expected at all, or a run or instance of the input that no expected alert names
        const named = new Set(a.exp_alerts.flatMap((e) => Object.values(e.exp_labels)));
        if (a.exp_alerts.length === 0 || subjects.some((id) => !named.has(id))) seen.quiet = true;
        cases.set(a.alertname, seen);
      }
    }
  }
  assert.deepEqual(alerts.filter((a) => cases.get(a)?.fires !== true || cases.get(a)?.quiet !== true), []);
});

test('promtool accepts prometheus.yml with its rule files; amtool accepts alertmanager.yml', { skip: SKIP }, async () => {
  const prom = await run('promtool', ['check', 'config', path.join(OBS, 'prometheus', 'prometheus.yml')], { timeout: 30_000 });
  assert.match(prom.stdout, /SUCCESS: 3 rule files found/);
  assert.match(prom.stdout, /is valid prometheus config file syntax/);
  const am = await run('amtool', ['check-config', path.join(OBS, 'alertmanager', 'alertmanager.yml')], { timeout: 30_000 });
  assert.match(am.stdout, /SUCCESS/);
});

test('the generated files of observability/ are up to date with ci/slo/ and the code', async () => {
  assert.deepEqual(await generate(true), [], "run 'rampart observe generate'");
});

test('the budgets the rules carry are the gate\'s, for every profile and endpoint key', async () => {
  const profiles = await profileNames(REPO_ROOT);
  assert.ok(profiles.includes('baseline') && profiles.includes('smoke'));
  const budgets = await loadBudgets(DEFAULT_SLO_DIR, profiles, REPO_ROOT);
  for (const b of budgets) {
    const files = [path.join(DEFAULT_SLO_DIR, 'defaults.yml'), ...b.sources.slice(1).map((s) => path.join(REPO_ROOT, s))];
    const gate = await loadSlo(files);
    assert.deepEqual(b.defaults, gate.defaults, b.profile);
    assert.deepEqual(b.run, gate.run, b.profile);
    for (const endpoint of Object.keys(gate.endpoints)) {
      assert.deepEqual({ ...b.defaults, ...b.endpoints[endpoint] }, endpointBudget(gate, endpoint), `${b.profile} ${endpoint}`);
    }
  }
  // The generated rules hold smoke's own login budget and baseline's inherited one.
  const rules = await readFile(path.join(OBS, 'prometheus', 'rules', 'slo-budgets.yml'), 'utf8');
  const doc = parse(rules) as { groups: { name: string; rules: { expr: string; labels: Record<string, string> }[] }[] };
  const budgetOf = (profile: string, endpoint: string, stat: string): string | undefined =>
    doc.groups.find((g) => g.name === `rampart-slo-${profile}`)?.rules.find((r) => r.labels.endpoint === endpoint && r.labels.stat === stat)?.expr;
  assert.equal(budgetOf('smoke', 'POST /api/v1/auth/login', 'p95'), 'vector(5000)');
  assert.equal(budgetOf('baseline', 'POST /api/v1/auth/login', 'p95'), 'vector(1500)');
});
