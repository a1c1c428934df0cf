import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSlo, mergeSlo, endpointBudget, DEFAULT_COMPARISON } from '../../src/gate/slo.ts';
import { RampartError } from '../../src/core/errors.ts';
import { ensureChecks } from '../../src/results/index.ts';

const expectUsage = (fn: () => unknown, pattern: RegExp): void => {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof RampartError, 'a RampartError');
    assert.equal(error.exitCode, 2);
    assert.ok(!error.message.includes('\n'), 'one line');
    assert.match(error.message, pattern);
    return true;
  });
};

const valid = `description: budgets for tests
defaults:
  p95: 500
  p99: 1500
  errorRate: 0.01
endpoints:
  "GET /api/v1/alerts":
    p95: 300
    p99: null
run:
  minThroughput: 5
  detectionLatencyP95: 10000
comparison:
  threshold: 0.15
  statistic: p90
`;

test('a valid SLO file parses into budgets, overrides and comparison settings', () => {
  const spec = parseSlo(valid, 'ci/slo/x.yml');
  assert.deepEqual(spec.defaults, { p95: 500, p99: 1500, errorRate: 0.01 });
  assert.deepEqual(spec.endpoints['GET /api/v1/alerts'], { p95: 300, p99: null });
  assert.deepEqual(spec.run, { minThroughput: 5, detectionLatencyP95: 10000 });
  assert.deepEqual(spec.comparison, { threshold: 0.15, statistic: 'p90' });
  const config = mergeSlo([spec]);
  assert.deepEqual(endpointBudget(config, 'GET /api/v1/alerts'), { p95: 300, p99: null, errorRate: 0.01 });
  assert.deepEqual(endpointBudget(config, 'GET /api/v1/incidents'), { p95: 500, p99: 1500, errorRate: 0.01 });
  assert.equal(config.comparison.threshold, 0.15);
  assert.equal(config.comparison.alpha, DEFAULT_COMPARISON.alpha);
});

test('a later file overrides an earlier one metric by metric', () => {
  const defaults = parseSlo('defaults:\n  p95: 500\n  p99: 1500\nrun:\n  errorRate: 0.01\n', 'defaults.yml');
  const profile = parseSlo('defaults:\n  p95: 800\nendpoints:\n  "POST /api/v1/events/batch":\n    p99: 3000\n', 'smoke.yml');
  const config = mergeSlo([defaults, profile]);
  assert.deepEqual(config.sources, ['defaults.yml', 'smoke.yml']);
  assert.deepEqual(endpointBudget(config, 'POST /api/v1/events/batch'), { p95: 800, p99: 3000 });
  assert.deepEqual(config.run, { errorRate: 0.01 });
});

test('a misspelt metric is rejected with its file, line and the known names', () => {
  const text = 'defaults:\n  p95: 500\nendpoints:\n  "GET /api/v1/alerts":\n    p59: 300\n';
  expectUsage(() => parseSlo(text, 'ci/slo/smoke.yml'), /^ci\/slo\/smoke\.yml:5: unknown metric 'p59' in endpoints\."GET \/api\/v1\/alerts"; known metrics: p50, p90, p95, p99, max, errorRate, minThroughput$/);
  expectUsage(() => parseSlo('run:\n  detectionLatencyP50: 3\n', 'a.yml'), /^a\.yml:2: unknown metric 'detectionLatencyP50' in run; known metrics: .*detectionLatencyP95/);
  expectUsage(() => parseSlo('defaults:\n  error_rate: 0.01\n', 'a.yml'), /^a\.yml:2: unknown metric 'error_rate' in defaults/);
});

test('unknown sections and settings, bad values and bad keys are one-line errors', () => {
  expectUsage(() => parseSlo('thresholds:\n  p95: 1\n', 'a.yml'), /^a\.yml:1: unknown section 'thresholds'; known sections: description, defaults, endpoints, run, metrics, comparison$/);
  expectUsage(() => parseSlo('comparison:\n  treshold: 0.1\n', 'a.yml'), /^a\.yml:2: unknown setting 'treshold' in comparison; known settings: statistic, threshold/);
  expectUsage(() => parseSlo('comparison:\n  statistic: mean\n', 'a.yml'), /comparison\.statistic must be one of min, p50, p75, p90/);
  expectUsage(() => parseSlo('defaults:\n  p95: fast\n', 'a.yml'), /^a\.yml:2: defaults\.p95 must be a number \(milliseconds\) or null, got 'fast'$/);
  expectUsage(() => parseSlo('defaults:\n  errorRate: 5\n', 'a.yml'), /errorRate is a fraction of requests between 0 and 1/);
  expectUsage(() => parseSlo('endpoints:\n  /api/v1/alerts:\n    p95: 3\n', 'a.yml'), /^a\.yml:2: '\/api\/v1\/alerts' is not an endpoint key; write 'METHOD \/route\/template'/);
  expectUsage(() => parseSlo('defaults: [1, 2]\n', 'a.yml'), /^a\.yml:1: defaults must be a mapping/);
  expectUsage(() => parseSlo('defaults:\n  p95: 1\n  p95: 2\n', 'a.yml'), /^a\.yml:3: not valid YAML/);
  expectUsage(() => parseSlo('defaults:\n  p95: [1\n', 'a.yml'), /^a\.yml:\d+: not valid YAML/);
});

test('an empty file sets nothing', () => {
  const config = mergeSlo([parseSlo('', 'empty.yml')]);
  assert.deepEqual(config.defaults, {});
  assert.deepEqual(config.comparison, DEFAULT_COMPARISON);
});

test('every SLO file shipped in ci/slo is valid', async () => {
  const { readdir } = await import('node:fs/promises');
  const path = await import('node:path');
  const { loadSlo } = await import('../../src/gate/slo.ts');
  const join = (...parts: string[]): string => path.join(...parts);
  const dir = join(import.meta.dirname, '..', '..', 'ci', 'slo');
  const files = (await readdir(dir)).filter((name) => name.endsWith('.yml')).sort();
  assert.ok(files.includes('defaults.yml') && files.includes('baseline.yml') && files.includes('smoke.yml'));
  for (const file of files) {
    const config = await loadSlo([join(dir, 'defaults.yml'), join(dir, file)]);
    assert.ok(Object.keys(config.defaults).length > 0, `${file} has per-endpoint budgets`);
  }
});

test('metrics: budgets on any custom metric name, merged by statistic; a typo or a bad value is one line', () => {
  const base = parseSlo('metrics:\n  shop.orders: { max: 10 }\n  shop.checkout_ms: { p95: 200, p99: 500 }\n', 'a.yml');
  const over = parseSlo('metrics:\n  shop.checkout_ms: { p99: null, max: 900 }\n', 'b.yml');
  const merged = mergeSlo([base, over]);
  assert.deepEqual(merged.metrics, { 'shop.orders': { max: 10 }, 'shop.checkout_ms': { p95: 200, p99: null, max: 900 } });
  assert.equal(merged.locations['shop.orders'], 'a.yml:2');
  expectUsage(() => parseSlo('metrics:\n  shop.orders: { p59: 1 }\n', 'c.yml'), /^c\.yml:2: unknown statistic 'p59' in metrics\."shop\.orders"; known statistics: min, max, mean, p50, p75, p90, p95, p99, p999/);
  expectUsage(() => parseSlo('metrics:\n  shop.orders: { max: lots }\n', 'd.yml'), /^d\.yml:2: metrics\."shop\.orders"\.max must be a number, at least 0, or null, got 'lots'$/);
  expectUsage(() => parseSlo('metrics:\n  shop.orders: 10\n', 'e.yml'), /^e\.yml:2: metrics\."shop\.orders" must be a mapping of statistics to limits/);
});

test("Artillery's ensure checks are read from its console output, colours and all, with values from the aggregate", () => {
  const text = 'Summary report\n...\nLog file: out.json\n\n\u001b[1mChecks:\u001b[22m\nChecks:\n\u001b[32mok\u001b[39m: maxErrorRate < 1\nok: http.response_time.p99 < 1000\nfail: shop.orders > 1000 (optional)\nfail: shop.checkout_ms.p95 < 10\nfail: p95 < 1\n\n';
  const aggregate = { counters: { 'shop.orders': 30, 'vusers.created': 10, 'vusers.completed': 9 }, rates: {}, summaries: { 'shop.checkout_ms': { min: 40, max: 60, count: 30, mean: 50, median: 50, p75: 55, p90: 58, p95: 59, p99: 60, p999: 60 }, 'http.response_time': { min: 1, max: 9, count: 30, mean: 3, median: 3, p75: 4, p90: 5, p95: 6, p99: 9, p999: 9 } } };
  const checks = ensureChecks(text, aggregate);
  assert.deepEqual(checks?.map((c) => [c.expression, c.passed, c.strict, c.limit, c.value]), [
    ['maxErrorRate < 1', true, true, 1, 10],
    ['http.response_time.p99 < 1000', true, true, 1000, 9],
    ['shop.orders > 1000', false, false, 1000, 30],
    ['shop.checkout_ms.p95 < 10', false, true, 10, 59],
    ['p95 < 1', false, true, 1, 6],
  ]);
  assert.equal(ensureChecks('Summary report\nno checks here\n', aggregate), null);
});
