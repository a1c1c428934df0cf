// The GitHub workflows in ci/github/ cannot run here (no GitHub); check what can be checked: they
// parse, do the steps docs/ci.md promises, and every rampart option they use is accepted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseGateArgs } from '../../src/gate/command.ts';
import { parseRunArgs } from '../../src/run/args.ts';

const dir = join(import.meta.dirname, '..', '..', 'ci', 'github', 'workflows');

interface Step { name?: string; run?: string; uses?: string; if?: string }
interface Workflow { on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, { steps: Step[] }> }

async function workflow(file: string): Promise<{ steps: Step[]; text: string; parsed: Workflow }> {
  const text = await readFile(join(dir, file), 'utf8');
  const parsed = parse(text) as Workflow;
  const [job] = Object.values(parsed.jobs);
  return { steps: job.steps, text, parsed };
}

/** Every `rampart.ts <command> ...` line in the run scripts, as argument lists with placeholders filled. */
function rampartCalls(steps: Step[], command: string): string[][] {
  const calls: string[][] = [];
  for (const step of steps) {
    for (const line of (step.run ?? '').split('\n')) {
      const match = new RegExp(`src/cli/rampart\\.ts ${command} (.*?)(?:\\|\\||>|$)`).exec(line);
      if (match === null) continue;
      const args = match[1].trim().replace(/"\$\{args\[@\]\}"/, 'reports/x').replace(/"[^"]*"/g, 'VALUE').split(/\s+/);
      calls.push(args.map((a) => (a.startsWith('$') ? 'VALUE' : a)));
    }
  }
  return calls;
}

test('the pull-request workflow gates the baseline profile against main and reports', async () => {
  const { steps, text, parsed } = await workflow('performance-pr.yml');
  assert.ok('pull_request' in parsed.on);
  assert.equal(parsed.permissions['pull-requests'], 'write');
  assert.match(text, /node platform\/server\.ts/);
  assert.match(text, /git show "origin\/\$\{\{ github\.base_ref \}\}:ci\/baselines\/baseline\.json"/);
  assert.ok(steps.some((s) => s.uses?.startsWith('actions/upload-artifact') && s.if === 'always()'));
  assert.match(text, /gh pr comment .* --edit-last --create-if-none/s);
  assert.match(text, /GITHUB_STEP_SUMMARY/);
  const runs = rampartCalls(steps, 'run');
  assert.deepEqual(runs.map((args) => args[0]), ['smoke', 'baseline']);
  for (const args of runs) assert.equal(parseRunArgs(args).target, 'VALUE');
  const gates = rampartCalls(steps, 'gate');
  assert.ok(gates.length >= 2);
  for (const args of gates) parseGateArgs(args);
  assert.equal(parseGateArgs(gates[0]).repeat, 1);
});

test('the main workflow appends each run to the stored baseline and commits it', async () => {
  const { steps, text, parsed } = await workflow('performance-baseline.yml');
  assert.deepEqual((parsed.on.push as { branches: string[] }).branches, ['main']);
  assert.equal(parsed.permissions.contents, 'write');
  const gates = rampartCalls(steps, 'gate');
  assert.equal(gates.length, 1);
  assert.equal(parseGateArgs(gates[0]).updateBaseline, true);
  assert.match(text, /git add ci\/baselines\/baseline\.json/);
  assert.match(text, /git push origin HEAD:main/);
});
