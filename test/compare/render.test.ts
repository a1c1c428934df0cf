// compare's text table and page must say why an endpoint is UNKNOWN: its p50/p95 intervals are
// descriptive, so one can exclude 1 beside an UNKNOWN verdict of the gate's own statistic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCompare, renderCompareHtml } from '../../src/compare/render.ts';
import type { CompareEndpoint, CompareFile } from '../../src/compare/document.ts';

const endpoint = (name: string, verdict: CompareEndpoint['verdict'], detail: string): CompareEndpoint => ({
  endpoint: name, verdict, ratio: verdict === 'UNKNOWN' ? null : 1.01, detail,
  p50: { ratio: 1.4, lower: 1.2, upper: 1.6, verdict: 'SLOWER' }, p95: null,
  a: { requests: 100, p50: 10, p95: 20, p99: 30, errorRate: 0 }, b: { requests: 100, p50: 14, p95: 28, p99: 40, errorRate: 0 },
});

const doc: CompareFile = {
  schema: 'rampart.compare/1', mode: 'bundles', profile: 'smoke', createdAt: '2026-12-02T00:00:00.000Z', order: [],
  settings: { statistic: 'min', threshold: 0.1, alpha: 0.05, noiseFloor: 0.03, absoluteNoiseFloor: 0.1, sources: ['ci/slo/defaults.yml'] },
  a: { label: 'a', env: null, runs: [] }, b: { label: 'b', env: null, runs: [] },
  endpoints: [
    endpoint('GET /api/v1/alerts', 'SAME', 'within 10%'),
    endpoint('GET /api/v1/reports', 'UNKNOWN', 'too few periods with 5 responses: 2 in B, 3 needed'),
  ],
  resources: { a: null, b: null }, statements: { rows: [], runs: { a: 0, b: 0 } }, slower: [],
};

test('the text table says why each UNKNOWN endpoint has no verdict, and that the intervals decide nothing', () => {
  const text = formatCompare(doc);
  assert.match(text, /1 SAME, 1 UNKNOWN/);
  assert.match(text, /the p50\/p95 intervals describe the runs and decide nothing/);
  assert.match(text, /^ {2}GET \/api\/v1\/reports: too few periods with 5 responses: 2 in B, 3 needed$/m);
  assert.doesNotMatch(text, /^ {2}GET \/api\/v1\/alerts:/m);
});

test('the page explains the same beside its table, where each row carries its detail', () => {
  const html = renderCompareHtml(doc, '');
  assert.match(html, /an UNKNOWN verdict can stand beside an interval that excludes 1/);
  assert.match(html, /too few periods with 5 responses: 2 in B, 3 needed/);
});
