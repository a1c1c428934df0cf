// Service plugin, the one error handler: every failure becomes `{ error, message }` with the right status.
// validation -> 400; malformed JSON -> 400; body too large -> 413; HttpError -> its status;
// SQLSTATE 23505 -> 409, 22P02/22003/22007/22008 -> 400; database unreachable -> 503 `unavailable`;
// anything else -> 500 `internal`, logged, text hidden. An unknown route is a 404 `not_found` that
// names the method and path. Registered before the routes, at the root (fastify-plugin).
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import pg from 'pg';
import { HttpError, codeForStatus } from '../../errors.ts';
import type { ErrorCode } from '../../errors.ts';
import { isConnectionFailure } from '../../db/pool.ts';

export type ErrorBody = { error: ErrorCode; message: string };

const INVALID_INPUT_SQLSTATES = new Set(['22P02', '22003', '22007', '22008', '22023']);

/** Maps any thrown value to a status and body; pure, so it can be tested on its own. */
export function classifyError(error: unknown): { statusCode: number; body: ErrorBody; log: boolean } {
  if (error instanceof HttpError) {
    return { statusCode: error.statusCode, body: { error: error.code, message: error.message }, log: error.statusCode >= 500 };
  }
  if (isConnectionFailure(error)) {
    return { statusCode: 503, body: { error: 'unavailable', message: 'the database is unavailable; retry later' }, log: true };
  }
  if (error instanceof pg.DatabaseError) {
    if (error.code === '23505') {
      return { statusCode: 409, body: { error: 'conflict', message: `already exists${error.constraint ? ` (${error.constraint})` : ''}` }, log: false };
    }
    if (error.code === '23503') {
      return { statusCode: 409, body: { error: 'conflict', message: 'a referenced record does not exist or is still referenced' }, log: false };
    }
    if (error.code !== undefined && INVALID_INPUT_SQLSTATES.has(error.code)) {
      return { statusCode: 400, body: { error: 'validation', message: 'a value is not valid for its field' }, log: false };
    }
    return { statusCode: 500, body: { error: 'internal', message: 'internal error' }, log: true };
  }
  const fastifyError = error as Partial<FastifyError> | null;
  if (fastifyError !== null && typeof fastifyError === 'object' && Array.isArray(fastifyError.validation)) {
    const context = fastifyError.validationContext ?? 'request';
    return { statusCode: 400, body: { error: 'validation', message: `${context}: ${fastifyError.message ?? 'invalid'}` }, log: false };
  }
  const status = fastifyError !== null && typeof fastifyError === 'object' ? fastifyError.statusCode : undefined;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = fastifyError?.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fastifyError?.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
      ? 'body is not valid JSON'
      : status === 413 ? 'request body is too large' : (fastifyError?.message ?? 'bad request');
    return { statusCode: status, body: { error: codeForStatus(status), message }, log: false };
  }
  return { statusCode: 500, body: { error: 'internal', message: 'internal error' }, log: true };
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { statusCode, body, log } = classifyError(error);
  if (log) request.log.error({ err: error }, 'request failed');
  return reply.code(statusCode).type('application/json; charset=utf-8').send(body);
}

function errorHandlerPlugin(app: FastifyInstance): void {
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: 'not_found', message: `no operation ${request.method} ${request.url.split('?')[0]}` });
  });
}

export default fp(errorHandlerPlugin, { name: 'error-handler', fastify: '5.x' });
