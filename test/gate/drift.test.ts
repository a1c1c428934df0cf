// The common-drift adjustment: on a machine whose speed swings between runs, a slowdown of one
// endpoint is found relative to the others, and the others are not blamed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareWithBaseline } from '../../src/gate/evaluate.ts';
import { adjustedSeries, referenceLevels } from '../../src/gate/drift.ts';
import { mergeSlo, parseSlo } from '../../src/gate/slo.ts';
import type { BaselineRun } from '../../src/gate/baseline.ts';
import { seededRandom } from '../../src/stats/random.ts';
import { must } from '../results/fixtures.ts';

const ENDPOINTS: Record<string, number> = { 'GET /a': 10, 'GET /b': 20, 'GET /c': 5, 'GET /d': 8, 'GET /e': 12 };

/** A run on a machine running `machine` times slower, with its own drift from period to period. */
function run(runId: string, seed: number, machine: number, slowdown: Record<string, number> = {}): BaselineRun {
  const random = seededRandom(seed);
  const endpoints: BaselineRun['endpoints'] = {};
  const drift = Array.from({ length: 12 }, () => machine * Math.exp(0.15 * (random() - 0.5)));
  for (const [key, level] of Object.entries(ENDPOINTS)) {
    endpoints[key] = drift.map((d, p) => {
      const v = level * d * (slowdown[key] ?? 1) * Math.exp(0.04 * (random() - 0.5));
      return { start: p * 10_000, responses: 50, min: v * 0.5, p50: v, p75: v * 1.2, p90: v * 1.5 };
    });
  }
  return { runId, profile: 'baseline', gitRevision: null, startedAt: null, endpoints };
}

const noisyBaseline = [run('b1', 1, 1), run('b2', 2, 1.45), run('b3', 3, 0.8)];

test('one endpoint 25% slower on a machine that swings by 80% between runs: SLOWER for it, nothing else', () => {
  const config = mergeSlo([]);
  const result = compareWithBaseline(config, [run('c', 4, 1.2, { 'GET /a': 1.25 })], noisyBaseline);
  const verdicts = Object.fromEntries(result.map((c) => [c.endpoint, c.verdict]));
  assert.equal(verdicts['GET /a'], 'SLOWER', result[0].detail);
  assert.match(result[0].detail, /^relative to the other endpoints: \+2\d\.\d% slower/);
  for (const key of ['GET /b', 'GET /c', 'GET /d', 'GET /e']) assert.notEqual(verdicts[key], 'SLOWER', `${key}: ${must(result.find((c) => c.endpoint === key)).detail}`);
  assert.ok(result.filter((c) => c.endpoint !== 'GET /a').some((c) => c.verdict === 'SAME'));
});

test('without the adjustment the same slowdown drowns in the machine\'s swings', () => {
  const config = mergeSlo([parseSlo('comparison:\n  adjustForDrift: false\n', 'x.yml')]);
  const result = compareWithBaseline(config, [run('c', 4, 1.2, { 'GET /a': 1.25 })], noisyBaseline);
  assert.notEqual(must(result.find((c) => c.endpoint === 'GET /a')).verdict, 'SLOWER');
});

test('a slowdown shared by every endpoint: undecided from one run, SLOWER once a second run confirms it', () => {
  const quiet = [run('q1', 5, 1), run('q2', 6, 1.01), run('q3', 7, 0.99)];
  const everything = Object.fromEntries(Object.keys(ENDPOINTS).map((key) => [key, 1.4]));
  const one = compareWithBaseline(mergeSlo([]), [run('c', 8, 1, everything)], quiet);
  for (const c of one) {
    assert.equal(c.verdict, 'UNKNOWN', c.detail);
    assert.match(c.detail, /^\+[34]\d\.\d% slower together with the other endpoints \(the run as a whole \+[34]\d\.\d%\): a slower machine or a change everywhere/);
    assert.ok(must(c.ratio) > 1.3);
  }
  const two = compareWithBaseline(mergeSlo([]), [run('c', 8, 1, everything), run('c2', 9, 1.02, everything)], quiet);
  for (const c of two) {
    assert.equal(c.verdict, 'SLOWER', c.detail);
    assert.doesNotMatch(c.detail, /^relative/);
  }
});

test('the adjustment removes the common factor: a uniformly slower run reads as the baseline level', () => {
  const reference = referenceLevels([run('b', 9, 1)], 'p50', 1);
  const adjusted = adjustedSeries(run('slow', 9, 2), reference, 'p50', 1, 2);
  const values = must(adjusted.get('GET /b'));
  assert.equal(values.length, 12);
  for (const v of values) assert.ok(Math.abs(v / 20 - 1) < 0.06, `adjusted ${v} near 20`);
  assert.equal(adjustedSeries(run('x', 9, 1), reference, 'p50', 1, 5).size, 0, 'needs 5 other endpoints: none has');
});

test('three endpoints, one 50% slower: the two others are not called FASTER (a median of two references is their mean)', () => {
  const only = (r: BaselineRun, keys: string[]): BaselineRun => ({ ...r, endpoints: Object.fromEntries(keys.map((key) => [key, r.endpoints[key]])) });
  const keys = ['GET /a', 'GET /b', 'GET /c'];
  const quiet = [1, 2, 3].map((seed) => only(run(`q${String(seed)}`, seed + 20, 1), keys));
  const candidates = [only(run('c1', 30, 1, { 'GET /a': 1.5 }), keys), only(run('c2', 31, 1, { 'GET /a': 1.5 }), keys)];
  const result = compareWithBaseline(mergeSlo([]), candidates, quiet);
  const verdicts = Object.fromEntries(result.map((c) => [c.endpoint, c]));
  assert.equal(must(verdicts['GET /a']).verdict, 'SLOWER', must(verdicts['GET /a']).detail);
  for (const key of ['GET /b', 'GET /c']) assert.notEqual(must(verdicts[key]).verdict, 'FASTER', `${key}: ${must(verdicts[key]).detail}`);
});
