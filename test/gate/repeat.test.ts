// --repeat: while an endpoint is undecided, more runs of the same build are gathered and judged
// together. The new runs come from the `Rerun` the command is given; here it hands over real bundle
// folders written beforehand (the real one calls `rampart run`'s executeRun).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFile, mkdir } from 'node:fs/promises';
import { parseGateArgs, runGate } from '../../src/gate/command.ts';
import type { Rerun } from '../../src/gate/command.ts';
import { ALERTS, removeDir, tempDir, writeBundle } from './fixtures.ts';
import type { BundleSpec } from './fixtures.ts';

const dirs: string[] = [];
after(async () => {
  for (const dir of dirs) await removeDir(dir);
});

const one = [{ key: ALERTS, medianMs: 12, perPeriod: 200 }];
const spec = (runId: string, seed: number, extra: Partial<BundleSpec> = {}): BundleSpec => ({ runId, seed, profile: 'baseline', periods: 12, endpoints: one, ...extra });

test('--repeat gathers runs until the verdict is decided, and stops there', async () => {
  const root = await tempDir();
  dirs.push(root);
  await mkdir(join(root, 'slo'));
  await writeFile(join(root, 'slo', 'defaults.yml'), 'comparison:\n  noiseFloor: 0.07\n  statistic: p50\n');
  const baseline: string[] = [];
  for (let i = 0; i < 3; i++) baseline.push(await writeBundle(join(root, 'base'), spec(`base-${i}`, 200 + i, { runFactor: [1, 1.03, 0.97][i] })));
  const candidate = await writeBundle(join(root, 'cand'), spec('cand-0', 300, { slowdown: { [ALERTS]: 1.15 } }));
  const extra: string[] = [];
  for (let i = 1; i <= 5; i++) extra.push(await writeBundle(join(root, 'cand'), spec(`cand-${i}`, 300 + i, { slowdown: { [ALERTS]: 1.15 }, runFactor: 1 + 0.02 * (i % 2 ? 1 : -1) })));
  const handed: string[] = [];
  const rerun: Rerun = () => {
    const next = extra[handed.length];
    handed.push(next);
    return Promise.resolve(next);
  };
  const repeats = (): number => handed.length;
  const base = ['--no-report', ...baseline.flatMap((b) => ['--baseline', b])];
  const env = { ...process.env };
  process.env.RAMPART_SLO_DIR = join(root, 'slo');
  try {
    const single = await runGate(parseGateArgs([candidate, ...base]), rerun);
    assert.equal(single.result.comparisons[0].verdict, 'UNKNOWN', single.text);
    assert.equal(handed.length, 0, 'no repeat without --repeat');

    const repeated = await runGate(parseGateArgs([candidate, ...base, '--repeat', '5']), rerun);
    assert.equal(repeated.result.comparisons[0].verdict, 'SLOWER', repeated.text);
    assert.ok(repeats() >= 1 && repeats() < 5, `stopped once decided after ${repeats()} more run(s)`);
    assert.match(repeated.text, new RegExp(`${repeats() + 1} run\\(s\\)`));
    assert.equal(repeated.exitCode, 1);
  } finally {
    process.env.RAMPART_SLO_DIR = env.RAMPART_SLO_DIR;
    if (env.RAMPART_SLO_DIR === undefined) delete process.env.RAMPART_SLO_DIR;
  }
});
