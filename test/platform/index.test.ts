// platform/index.ts, the platform's public entry: openApiDocument builds the document without a
// database (the pool never connects) and applies `extend` before generating it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openApiDocument } from '../../platform/index.ts';

type Document = { openapi: string; paths: Partial<Record<string, Partial<Record<string, { operationId?: string }>>>> };

test('openApiDocument: every operation of the platform, with no database running', async () => {
  const doc = (await openApiDocument()) as Document;
  assert.equal(doc.openapi, '3.0.3');
  assert.equal(doc.paths['/api/v1/alerts']?.get?.operationId, 'listAlerts');
  assert.equal(doc.paths['/api/v1/incidents/{id}']?.patch?.operationId, 'updateIncident');
  assert.equal(doc.paths['/api/v1/events/batch']?.post?.operationId, 'ingestEventBatch');
  assert.equal(doc.paths['/api/v1/indicators']?.get?.operationId, 'listIndicators');
});

test('openApiDocument(extend): routes added by extend are in the document', async () => {
  const doc = (await openApiDocument((app) => {
    app.get('/api/v1/extra', { schema: { operationId: 'extraOperation' } }, () => ({}));
  })) as Document;
  assert.equal(doc.paths['/api/v1/extra']?.get?.operationId, 'extraOperation');
});
