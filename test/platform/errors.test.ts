// The error handler's mapping from thrown values to `{ error, message }` and a status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { classifyError } from '../../platform/plugins/app/error-handler.ts';
import { HttpError, notFound } from '../../platform/errors.ts';
import { DatabaseUnavailableError } from '../../platform/db/pool.ts';

function sqlError(code: string): pg.DatabaseError {
  const error = new pg.DatabaseError('some server text', 0, 'error');
  error.code = code;
  return error;
}

test('HttpError keeps its status and code', () => {
  assert.deepEqual(classifyError(notFound('alert 7')), { statusCode: 404, body: { error: 'not_found', message: 'alert 7 not found' }, log: false });
  assert.equal(classifyError(new HttpError(429, 'rate_limited', 'slow down')).statusCode, 429);
});

test('SQLSTATE codes: 23505 -> 409, 22P02 -> 400, connection classes -> 503, other SQL errors -> 500 with text hidden', () => {
  assert.equal(classifyError(sqlError('23505')).statusCode, 409);
  assert.equal(classifyError(sqlError('23505')).body.error, 'conflict');
  assert.equal(classifyError(sqlError('22P02')).statusCode, 400);
  assert.equal(classifyError(sqlError('57P01')).statusCode, 503);
  assert.equal(classifyError(sqlError('08006')).statusCode, 503);
  const internal = classifyError(sqlError('42P01'));
  assert.deepEqual(internal, { statusCode: 500, body: { error: 'internal', message: 'internal error' }, log: true });
});

test('connection failures -> 503 unavailable; unknown errors -> 500 with the message hidden', () => {
  assert.equal(classifyError(new DatabaseUnavailableError(new Error('x'))).statusCode, 503);
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  assert.equal(classifyError(refused).body.error, 'unavailable');
  const hidden = classifyError(new Error('secret detail'));
  assert.equal(hidden.statusCode, 500);
  assert.equal(hidden.body.message, 'internal error');
});

test('Fastify errors: validation -> 400, bad JSON -> 400, body too large -> 413', () => {
  const validation = Object.assign(new Error('body must have required property \'x\''), { validation: [{}], validationContext: 'body', statusCode: 400 });
  assert.deepEqual(classifyError(validation).body, { error: 'validation', message: 'body: body must have required property \'x\'' });
  const json = Object.assign(new Error('Unexpected end'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
  assert.deepEqual(classifyError(json).body, { error: 'validation', message: 'body is not valid JSON' });
  const large = Object.assign(new Error('too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
  assert.deepEqual(classifyError(large), { statusCode: 413, body: { error: 'payload_too_large', message: 'request body is too large' }, log: false });
});
