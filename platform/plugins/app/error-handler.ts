// Service plugin, the one error handler: every failure becomes `{ error, message }` with the right status.
// validation -> 400; malformed JSON -> 400; body too large -> 413; HttpError -> its status (and its
// Retry-After); database errors by SQLSTATE class (sqlStateAnswer below: data exceptions 400, integrity
// 409/400, connection and resource classes 503; the server's text is never sent); database
// unreachable -> 503 `unavailable`; anything else -> 500 `internal`, logged, text hidden. An unknown
// route is a 404 `not_found` that names the method and path. Registered before the routes, at the
// root (fastify-plugin).
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Duplex } from 'node:stream';
import pg from 'pg';
import { HttpError, codeForStatus } from '../../errors.ts';
import type { ErrorCode } from '../../errors.ts';
import { isConnectionFailure } from '../../db/pool.ts';

export type ErrorBody = { error: ErrorCode; message: string };

type ErrorAnswer = { statusCode: number; body: ErrorBody; log: boolean; retryAfterSeconds?: number };

const UNAVAILABLE: ErrorAnswer = { statusCode: 503, body: { error: 'unavailable', message: 'the database is unavailable; retry later' }, log: true, retryAfterSeconds: 5 };
const INTERNAL: ErrorAnswer = { statusCode: 500, body: { error: 'internal', message: 'internal error' }, log: true };

const invalid = (message: string, log = false): ErrorAnswer => ({ statusCode: 400, body: { error: 'validation', message }, log });
const conflictWith = (message: string): ErrorAnswer => ({ statusCode: 409, body: { error: 'conflict', message }, log: false });
const retryLater = (message: string): ErrorAnswer => ({ statusCode: 503, body: { error: 'unavailable', message }, log: true, retryAfterSeconds: 5 });

/** SQLSTATE codes with an answer of their own; the rest of their class answers as SQLSTATE_CLASSES says. */
const SQLSTATE_CODES: Readonly<Partial<Record<string, ErrorAnswer>>> = {
  '22001': invalid('a text value is too long for its field'),
  '22003': invalid('a number is out of range for its field'),
  '22007': invalid('a date or time is not valid'),
  '22008': invalid('a date or time is out of range'),
  '22009': invalid('a time zone or date-time value is out of range'),
  '22021': invalid('a text value holds a NUL character or bytes that are not valid UTF-8'),
  '22P05': invalid('a text value holds a character the database cannot store (NUL or an unpaired surrogate)'),
  '23502': invalid('a required value is missing', true), // the schema should have refused it: logged
  '23503': conflictWith('a referenced record does not exist or is still referenced'),
  '23001': conflictWith('a referenced record does not exist or is still referenced'),
  '23514': invalid('a value breaks a rule of its field'),
  '25006': retryLater('the database is read-only at the moment; retry later'),
  '55P03': retryLater('a record is locked by another change; retry'),
};

/**
 * SQLSTATE classes (the first two characters): 22 data exception (a value the client sent) 400;
 * 23 integrity constraint 409; 54 program limit exceeded (a request too large or too complex for the
 * database) 400; 08 connection exception, 53 insufficient resources, 57 operator intervention
 * (shutdown, cancel, cannot connect now), 40 transaction rollback (serialization failure, deadlock) 503. Other classes (42 syntax, XX internal, ...) are bugs: 500.
 */
const SQLSTATE_CLASSES: Readonly<Partial<Record<string, ErrorAnswer>>> = {
  '22': invalid('a value is not valid for its field'),
  '23': conflictWith('the change conflicts with stored data'),
  '54': invalid('a value is too large or too complex for the database'),
  '08': UNAVAILABLE,
  '53': retryLater('the database is out of resources; retry later'),
  '57': UNAVAILABLE,
  '40': retryLater('a concurrent change conflicted with this one; retry'),
};

/** The answer to a SQLSTATE (a pg.DatabaseError's code); pure. */
export function sqlStateAnswer(code: string | undefined, constraint?: string): ErrorAnswer {
  if (code === undefined) return INTERNAL;
  if (code === '23505' || code === '23P01') return conflictWith(`already exists${constraint === undefined ? '' : ` (${constraint})`}`);
  return SQLSTATE_CODES[code] ?? SQLSTATE_CLASSES[code.slice(0, 2)] ?? INTERNAL;
}

/** Maps any thrown value to a status and body; pure, so it can be tested on its own. */
export function classifyError(error: unknown): ErrorAnswer {
  if (error instanceof HttpError) {
    const answer: ErrorAnswer = { statusCode: error.statusCode, body: { error: error.code, message: error.message }, log: error.statusCode >= 500 };
    return error.retryAfterSeconds === undefined ? answer : { ...answer, retryAfterSeconds: error.retryAfterSeconds };
  }
  if (isConnectionFailure(error)) return UNAVAILABLE;
  if (error instanceof pg.DatabaseError) return sqlStateAnswer(error.code, error.constraint);
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
    return { statusCode: status, body: { error: codeForStatus(status), message: oneLine(message) }, log: false };
  }
  return INTERNAL;
}

/** Fastify's own 4xx messages may quote the request (a header, a content type): one line, bounded. */
function oneLine(text: string): string {
  const line = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { statusCode, body, log, retryAfterSeconds } = classifyError(error);
  if (log) request.log.error({ err: error }, 'request failed');
  if (retryAfterSeconds !== undefined) void reply.header('retry-after', String(retryAfterSeconds));
  return reply.code(statusCode).type('application/json; charset=utf-8').send(body);
}

/**
 * Fastify's `frameworkErrors` option: errors raised before a route is found (a path that is not
 * valid percent-encoding, a parameter over the length limit) answered like every other error.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void errorHandler(error, request, reply.header('x-content-type-options', 'nosniff'));
}

const CLIENT_ERRORS: Readonly<Partial<Record<string, [number, string, ErrorBody]>>> = {
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', { error: 'validation', message: 'the request did not arrive in time' }],
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', { error: 'payload_too_large', message: 'the request headers are too large' }],
};

/**
 * Fastify's `clientErrorHandler` option: a request Node's HTTP parser refuses (a header with CR, LF
 * or NUL in it, a malformed request line, headers over the size limit) gets the platform's error
 * shape and nosniff on the raw socket, then the connection is closed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, body] = CLIENT_ERRORS[error.code ?? ''] ?? [400, 'Bad Request', { error: 'validation', message: 'the request is not valid HTTP' }];
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${text}`);
  }
  socket.destroy();
}

function errorHandlerPlugin(app: FastifyInstance): void {
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: 'not_found', message: `no operation ${request.method} ${request.url.split('?')[0]}` });
  });
}

export default fp(errorHandlerPlugin, { name: 'error-handler', fastify: '5.x' });
