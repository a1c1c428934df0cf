// SLO endpoint keys must name something: a key no judged run or baseline measures and no scenario
// of the suite names is a typo (exit 2, the nearest known key); a key a scenario names is a budget
// for a flow this run did not select, and passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { REPO_ROOT } from '../../src/core/paths.ts';
import { checkSloEndpoints, nearestKey, suiteEndpointKeys } from '../../src/gate/slo-endpoints.ts';
import { mergeSlo, parseSlo } from '../../src/gate/slo.ts';
import { isOneLineUsageError } from '../support.ts';

const slo = (text: string): ReturnType<typeof mergeSlo> => mergeSlo([parseSlo(text, 'ci/slo/x.yml')]);

test('the suite\'s request names are known endpoint keys, and every shipped SLO key is one of them', async () => {
  const keys = await suiteEndpointKeys(REPO_ROOT);
  assert.ok(keys.has('GET /api/v1/alerts/:id'));
  assert.ok(keys.has('POST /api/v1/events/batch'));
  for (const file of ['defaults', 'smoke', 'baseline']) {
    const config = mergeSlo([parseSlo(await readFile(`${REPO_ROOT}/ci/slo/${file}.yml`, 'utf8'), `ci/slo/${file}.yml`)]);
    assert.doesNotThrow(() => { checkSloEndpoints(config, keys); }, file);
  }
});

test('a key nothing measures or names is refused with its line and the nearest known key', () => {
  const known = new Set(['GET /api/v1/alerts', 'GET /api/v1/alerts/:id', 'POST /api/v1/events/batch']);
  assert.throws(() => { checkSloEndpoints(slo('endpoints:\n  "GET /api/v1/alert":\n    p95: 100\n'), known); }, (e: unknown) =>
    isOneLineUsageError(e, /^ci\/slo\/x\.yml:2: endpoint 'GET \/api\/v1\/alert' is measured by no run and named by no scenario, so its budget would never be checked; did you mean 'GET \/api\/v1\/alerts'\?$/));
  assert.throws(() => { checkSloEndpoints(slo('endpoints:\n  "DELETE /nothing/like/it":\n    p95: 100\n'), known); }, (e: unknown) =>
    isOneLineUsageError(e, /'DELETE \/nothing\/like\/it' is measured by no run .*; use an endpoint key from the scenarios \(rampart coverage lists them\)$/));
  assert.doesNotThrow(() => { checkSloEndpoints(slo('endpoints:\n  "GET /api/v1/alerts/:id":\n    p95: 100\n'), known); });
  assert.equal(nearestKey('post /api/v1/events/bach', known), 'POST /api/v1/events/batch');
  assert.equal(nearestKey('GET /metrics', known), null);
});
