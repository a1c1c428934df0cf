// rampart coverage: the platform's OpenAPI operations against the scenarios' endpoint keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { compareCoverage, normaliseRoute, operationsFromOpenApi, requestsOfFlow } from '../../src/coverage/operations.ts';
import { openApiFromApp } from '../../src/coverage/openapi.ts';
import { coverage } from '../../src/coverage/command.ts';
import { REPO_ROOT } from '../../src/core/paths.ts';
import type { FlowFile } from '../../src/compose/types.ts';

const run = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'src', 'cli', 'rampart.ts');

test('OpenAPI paths become endpoint keys: {id} -> :id, no trailing slash', () => {
  assert.equal(normaliseRoute('/api/v1/alerts/{id}/comments'), '/api/v1/alerts/:id/comments');
  assert.equal(normaliseRoute('/api/v1/alerts/'), '/api/v1/alerts');
  assert.equal(normaliseRoute('/'), '/');
  const doc = { paths: { '/a/{id}': { get: {}, patch: {}, parameters: [] }, '/b/': { post: {} } } };
  assert.deepEqual(operationsFromOpenApi(doc), ['GET /a/:id', 'PATCH /a/:id', 'POST /b']);
});

test('requests inside loops count; unnamed requests and unknown keys are reported; unknownRoute requests are exempt', () => {
  const flow: FlowFile = {
    name: 'f', file: 'scenarios/f.yml', variables: {}, metrics: [],
    scenarios: [{
      name: 's',
      flow: [
        { get: { url: '/a/1', name: 'GET /a/:id' } },
        { loop: [{ post: { url: '/b', name: 'POST /b' } }], count: 2 },
        { get: { url: '/nowhere', name: 'GET /nowhere', unknownRoute: true } },
        { get: { url: '/typo', name: 'GET /a/:idd' } },
        { delete: { url: '/a/1' } },
      ],
    }],
  };
  const result = compareCoverage(['GET /a/:id', 'PATCH /a/:id', 'POST /b'], requestsOfFlow(flow));
  assert.deepEqual(result.covered, ['GET /a/:id', 'POST /b']);
  assert.deepEqual(result.uncovered, ['PATCH /a/:id']);
  assert.deepEqual(result.unknown, [
    { key: 'DELETE /a/1 (no name:)', where: ['f/s'] },
    { key: 'GET /a/:idd', where: ['f/s'] },
  ]);
});

test('rampart coverage: every platform operation is exercised by a scenario, and every key names an operation', async () => {
  const { stdout } = await run(process.execPath, [CLI, 'coverage'], { cwd: REPO_ROOT, timeout: 60_000 }).catch((error: unknown) => {
    const e = error as { stderr: string; code: number };
    assert.fail(`rampart coverage exited ${e.code}:\n${e.stderr}`);
  });
  assert.match(stdout, /^coverage: (\d+)\/\1 operations \(100\.0%\) exercised by 8 flow files\n$/);
});

test('a route added to the platform without a scenario makes coverage fail, naming it', async () => {
  const doc = await openApiFromApp((app) => {
    app.get('/api/v1/alerts/:id/timeline', { schema: { operationId: 'alertTimeline', params: { type: 'object', properties: { id: { type: 'integer' } } } } }, () => Promise.resolve({}));
  });
  const { result } = await coverage(REPO_ROOT, doc);
  assert.ok(result.operations.includes('GET /api/v1/alerts/:id/timeline'));
  assert.deepEqual(result.uncovered, ['GET /api/v1/alerts/:id/timeline']);
});
