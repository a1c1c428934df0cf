// Service plugin: refuses, before schema validation and before any handler, what no route may
// receive (platform/lib/input-check.ts): bodies nested deeper than MAX_INPUT_DEPTH, strings or keys
// holding NUL or unpaired surrogates, numbers beyond a double, in the body, the querystring or the
// path parameters. A refusal is a 400 `validation` naming the part and the field, so such input
// never reaches PostgreSQL (SQLSTATE 22021/22P05) or a recursive JSON.stringify (RangeError).
// The querystring and params are checked again after validation, which coerces them: Ajv turns
// `?limit=1e400` into Infinity and lets it through as an integer.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { badRequest } from '../../errors.ts';
import { inputProblem } from '../../lib/input-check.ts';

function inputGuardPlugin(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const problem = inputProblem(request.params, 'params') ?? inputProblem(request.query, 'querystring') ?? inputProblem(request.body, 'body');
    done(problem === undefined ? undefined : badRequest(problem));
  });
  app.addHook('preHandler', (request, _reply, done) => {
    const problem = inputProblem(request.params, 'params') ?? inputProblem(request.query, 'querystring');
    done(problem === undefined ? undefined : badRequest(problem));
  });
}

export default fp(inputGuardPlugin, { name: 'input-guard', fastify: '5.x' });
