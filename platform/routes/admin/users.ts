// Admin routes on users (/api/v1/admin/users): list, create, read, change, delete. Passwords are
// hashed here (bcrypt, config.bcryptCost); the SQL and audit rows are app.usersRepository's.
import type { FastifyInstance } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { hash } from '@node-rs/bcrypt';
import { USER_ROLES } from '../../domain/vocabulary.ts';
import { conflict, notFound } from '../../errors.ts';
import { decodeCursor, isIdCursor } from '../../lib/pagination.ts';
import { userSchema } from '../../domain/user.ts';
import { errorResponses, idParams, pageQuery, pageSchema } from '../../schemas.ts';

const ADMIN_ONLY = { roles: ['admin'] } as const;

const username = { type: 'string', pattern: '^[A-Za-z0-9._-]{3,64}$', description: '3-64 letters, digits, dot, underscore, hyphen' } as const;
const email = { type: 'string', format: 'email', maxLength: 254 } as const;
const displayName = { type: 'string', minLength: 1, maxLength: 200 } as const;
const role = { type: 'string', enum: USER_ROLES } as const;
const password = { type: 'string', minLength: 8, maxLength: 200 } as const;

const listUsers = {
  operationId: 'listUsers',
  tags: ['admin'],
  summary: 'Users, by id; filters role, disabled, q (substring of username, email or display name)',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { ...pageQuery, role, disabled: { type: 'boolean' }, q: { type: 'string', minLength: 1, maxLength: 200 } },
  },
  response: { 200: pageSchema(userSchema), ...errorResponses },
} as const;

const createUser = {
  operationId: 'createUser',
  tags: ['admin'],
  summary: 'Create a user',
  body: {
    type: 'object',
    required: ['username', 'email', 'displayName', 'role', 'password'],
    additionalProperties: false,
    properties: { username, email, displayName, role, password },
  },
  response: { 201: userSchema, ...errorResponses },
} as const;

const getUser = { operationId: 'getUser', tags: ['admin'], summary: 'One user', params: idParams, response: { 200: userSchema, ...errorResponses } } as const;

const updateUser = {
  operationId: 'updateUser',
  tags: ['admin'],
  summary: 'Change email, display name, role, disabled or password; disabling revokes the user\'s refresh tokens',
  params: idParams,
  body: { type: 'object', minProperties: 1, additionalProperties: false, properties: { email, displayName, role, disabled: { type: 'boolean' }, password } },
  response: { 200: userSchema, ...errorResponses },
} as const;

const deleteUser = {
  operationId: 'deleteUser',
  tags: ['admin'],
  summary: 'Delete a user (409 while their comments or reports exist: disable them instead)',
  params: idParams,
  response: { 204: { type: 'null', description: 'deleted' }, ...errorResponses },
} as const;

export default function usersRoutes(fastify: FastifyInstance): void {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const users = app.usersRepository;
  const { bcryptCost } = app.config;

  app.get('/users', { config: ADMIN_ONLY, schema: listUsers }, async (request) => {
    const { limit, cursor, ...filters } = request.query;
    return users.list({ ...filters, limit, afterId: cursor === undefined ? undefined : decodeCursor(cursor, isIdCursor).id });
  });

  app.post('/users', { config: ADMIN_ONLY, schema: createUser }, async (request, reply) => {
    const { password: plain, ...user } = request.body;
    const created = await users.create({ ...user, passwordHash: await hash(plain, bcryptCost) }, request.principal);
    return reply.code(201).send(created);
  });

  app.get('/users/:id', { config: ADMIN_ONLY, schema: getUser }, async (request) => {
    const user = await users.byId(request.params.id);
    if (user === undefined) throw notFound(`user ${request.params.id}`);
    return user;
  });

  app.patch('/users/:id', { config: ADMIN_ONLY, schema: updateUser }, async (request) => {
    const { id } = request.params;
    const { password: plain, ...changes } = request.body;
    if (id === request.principal.id && (changes.disabled === true || (changes.role !== undefined && changes.role !== 'admin'))) {
      throw conflict('you cannot disable yourself or remove your own admin role; ask another admin');
    }
    const passwordHash = plain === undefined ? undefined : await hash(plain, bcryptCost);
    const updated = await users.update(id, { ...changes, passwordHash }, Object.keys(request.body), request.principal);
    if (updated === undefined) throw notFound(`user ${id}`);
    return updated;
  });

  app.delete('/users/:id', { config: ADMIN_ONLY, schema: deleteUser }, async (request, reply) => {
    const { id } = request.params;
    if (id === request.principal.id) throw conflict('you cannot delete yourself; ask another admin');
    if (!(await users.delete(id, request.principal))) throw notFound(`user ${id}`);
    return reply.code(204).send(null);
  });
}
