// Routes under /api/v1/admin (CORE), role admin only:
//   users:     GET /users, POST /users, GET /users/:id, PATCH /users/:id, DELETE /users/:id
//   sensors:   GET /sensors, POST /sensors (the API key is returned once), PATCH /sensors/:id
//   audit log: GET /audit-log (filters action, actorKind, actorId, targetType, from, to)
// Every change writes an audit entry in the same transaction as the change.
import type { FastifyInstance } from 'fastify';
import { hash } from '@node-rs/bcrypt';
import { conflict, notFound } from '../../errors.ts';
import { dateTime, errorResponses, idParams, pageQuery, pageSchema } from '../../schemas.ts';
import { decodeCursor, isIdCursor, pageOf } from '../../lib/pagination.ts';
import { newOpaqueToken, sha256Hex } from '../../lib/tokens.ts';
import { USER_COLUMNS, toUser, userSchema } from '../../lib/users.ts';
import type { UserRow } from '../../lib/users.ts';
import type { UserRole } from '../../types.ts';

const adminOnly = { roles: ['admin'] } as const;

type IdParams = { id: number };
type ListUsersQuery = { limit: number; cursor?: string; role?: UserRole; disabled?: boolean; q?: string };
type CreateUserBody = { username: string; email: string; displayName: string; role: UserRole; password: string };
type UpdateUserBody = { email?: string; displayName?: string; role?: UserRole; disabled?: boolean; password?: string };
type ListSensorsQuery = { limit: number; cursor?: string };
type CreateSensorBody = { name: string };
type UpdateSensorBody = { name?: string; disabled?: boolean };
type AuditQuery = { limit: number; cursor?: string; action?: string; actorKind?: 'user' | 'sensor' | 'system'; actorId?: number; targetType?: string; from?: string; to?: string };

const username = { type: 'string', pattern: '^[A-Za-z0-9._-]{3,64}$', description: '3-64 letters, digits, dot, underscore, hyphen' } as const;
const email = { type: 'string', format: 'email', maxLength: 254 } as const;
const displayName = { type: 'string', minLength: 1, maxLength: 200 } as const;
const role = { type: 'string', enum: ['analyst', 'admin'] } as const;
const password = { type: 'string', minLength: 8, maxLength: 200 } as const;
const sensorNameSchema = { type: 'string', pattern: '^[A-Za-z0-9._-]{1,64}$' } as const;

type SensorRow = { id: string; name: string; disabled: boolean; created_at: Date; last_seen_at: Date | null };
const SENSOR_COLUMNS = 'id, name, disabled, created_at, last_seen_at';
const toSensor = (row: SensorRow) => ({
  id: Number(row.id),
  name: row.name,
  disabled: row.disabled,
  createdAt: row.created_at.toISOString(),
  lastSeenAt: row.last_seen_at === null ? null : row.last_seen_at.toISOString(),
});
const sensorSchema = {
  type: 'object',
  required: ['id', 'name', 'disabled', 'createdAt', 'lastSeenAt'],
  properties: { id: { type: 'integer' }, name: { type: 'string' }, disabled: { type: 'boolean' }, createdAt: dateTime, lastSeenAt: { type: ['string', 'null'], format: 'date-time' } },
} as const;

type AuditRow = { created_key: string; id: string; actor_kind: string; actor_id: string | null; action: string; target_type: string; target_id: string | null; details: Record<string, unknown>; created_at: Date };
const auditSchema = {
  type: 'object',
  required: ['id', 'actorKind', 'actorId', 'action', 'targetType', 'targetId', 'details', 'createdAt'],
  properties: {
    id: { type: 'integer' },
    actorKind: { type: 'string', enum: ['user', 'sensor', 'system'] },
    actorId: { type: ['integer', 'null'] },
    action: { type: 'string' },
    targetType: { type: 'string' },
    targetId: { type: ['string', 'null'] },
    details: { type: 'object', additionalProperties: true },
    createdAt: dateTime,
  },
} as const;

function isAuditCursor(value: unknown): value is { t: string; id: number } {
  if (!isIdCursor(value)) return false;
  const t: unknown = (value as { t?: unknown }).t;
  return typeof t === 'string' && /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)$/.test(t);
}

export default async function adminRoutes(app: FastifyInstance): Promise<void> {
  // ---- users ---------------------------------------------------------------------------
  app.get<{ Querystring: ListUsersQuery }>('/users', {
    config: adminOnly,
    schema: {
      operationId: 'listUsers',
      tags: ['admin'],
      summary: 'Users, by id; filters role, disabled, q (substring of username, email or display name)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { ...pageQuery, role, disabled: { type: 'boolean' }, q: { type: 'string', minLength: 1, maxLength: 200 } },
      },
      response: { 200: pageSchema(userSchema), ...errorResponses },
    },
  }, async (request) => {
    const { limit, cursor, role: roleFilter, disabled, q } = request.query;
    const where: string[] = [];
    const params: unknown[] = [];
    if (cursor !== undefined) {
      params.push(decodeCursor(cursor, isIdCursor).id);
      where.push(`id > $${params.length}`);
    }
    if (roleFilter !== undefined) {
      params.push(roleFilter);
      where.push(`role = $${params.length}`);
    }
    if (disabled !== undefined) {
      params.push(disabled);
      where.push(`disabled = $${params.length}`);
    }
    if (q !== undefined) {
      params.push(`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(username ILIKE $${params.length} OR email ILIKE $${params.length} OR display_name ILIKE $${params.length})`);
    }
    params.push(limit + 1);
    const { rows } = await app.db.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT $${params.length}`,
      params,
    );
    return pageOf(rows, limit, toUser, (row) => ({ id: Number(row.id) }));
  });

  app.post<{ Body: CreateUserBody }>('/users', {
    config: adminOnly,
    schema: {
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
    },
  }, async (request, reply) => {
    const body = request.body;
    const passwordHash = await hash(body.password, app.config.bcryptCost);
    const user = await app.db.transaction(async (client) => {
      const { rows } = await client.query<UserRow>(
        `INSERT INTO users (username, email, display_name, role, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING ${USER_COLUMNS}`,
        [body.username, body.email, body.displayName, body.role, passwordHash],
      );
      const created = toUser(rows[0]);
      await app.audit({ actor: request.principal, action: 'user.create', targetType: 'user', targetId: created.id, details: { username: created.username, role: created.role } }, client);
      return created;
    });
    return reply.code(201).send(user);
  });

  app.get<{ Params: IdParams }>('/users/:id', {
    config: adminOnly,
    schema: { operationId: 'getUser', tags: ['admin'], summary: 'One user', params: idParams, response: { 200: userSchema, ...errorResponses } },
  }, async (request) => {
    const { rows } = await app.db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [request.params.id]);
    if (rows[0] === undefined) throw notFound(`user ${request.params.id}`);
    return toUser(rows[0]);
  });

  app.patch<{ Params: IdParams; Body: UpdateUserBody }>('/users/:id', {
    config: adminOnly,
    schema: {
      operationId: 'updateUser',
      tags: ['admin'],
      summary: 'Change email, display name, role, disabled or password; disabling revokes the user\'s refresh tokens',
      params: idParams,
      body: { type: 'object', minProperties: 1, additionalProperties: false, properties: { email, displayName, role, disabled: { type: 'boolean' }, password } },
      response: { 200: userSchema, ...errorResponses },
    },
  }, async (request) => {
    const { id } = request.params;
    const body = request.body;
    if (id === request.principal.id && (body.disabled === true || (body.role !== undefined && body.role !== 'admin'))) {
      throw conflict('you cannot disable yourself or remove your own admin role; ask another admin');
    }
    const sets: string[] = [];
    const params: unknown[] = [];
    const set = (column: string, value: unknown): void => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (body.email !== undefined) set('email', body.email);
    if (body.displayName !== undefined) set('display_name', body.displayName);
    if (body.role !== undefined) set('role', body.role);
    if (body.disabled !== undefined) set('disabled', body.disabled);
    if (body.password !== undefined) set('password_hash', await hash(body.password, app.config.bcryptCost));
    params.push(id);
    const user = await app.db.transaction(async (client) => {
      const { rows } = await client.query<UserRow>(
        `UPDATE users SET ${sets.join(', ')}, updated_at = now() WHERE id = $${params.length} RETURNING ${USER_COLUMNS}`,
        params,
      );
      if (rows[0] === undefined) throw notFound(`user ${id}`);
      if (body.disabled === true || body.password !== undefined) {
        await client.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [id]);
      }
      const changed = Object.keys(body).map((key) => (key === 'password' ? 'password' : key));
      const details: Record<string, unknown> = { changed };
      if (body.role !== undefined) details.role = body.role;
      if (body.disabled !== undefined) details.disabled = body.disabled;
      await app.audit({ actor: request.principal, action: 'user.update', targetType: 'user', targetId: id, details }, client);
      return toUser(rows[0]);
    });
    return user;
  });

  app.delete<{ Params: IdParams }>('/users/:id', {
    config: adminOnly,
    schema: {
      operationId: 'deleteUser',
      tags: ['admin'],
      summary: 'Delete a user (409 while their comments or reports exist: disable them instead)',
      params: idParams,
      response: { 204: { type: 'null', description: 'deleted' }, ...errorResponses },
    },
  }, async (request, reply) => {
    const { id } = request.params;
    if (id === request.principal.id) throw conflict('you cannot delete yourself; ask another admin');
    await app.db.transaction(async (client) => {
      const { rows } = await client.query<{ username: string }>('DELETE FROM users WHERE id = $1 RETURNING username', [id]);
      if (rows[0] === undefined) throw notFound(`user ${id}`);
      await app.audit({ actor: request.principal, action: 'user.delete', targetType: 'user', targetId: id, details: { username: rows[0].username } }, client);
    });
    return reply.code(204).send();
  });

  // ---- sensors -------------------------------------------------------------------------
  app.get<{ Querystring: ListSensorsQuery }>('/sensors', {
    config: adminOnly,
    schema: {
      operationId: 'listSensors',
      tags: ['admin'],
      summary: 'Sensors, by id (API keys are never shown again)',
      querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery } },
      response: { 200: pageSchema(sensorSchema), ...errorResponses },
    },
  }, async (request) => {
    const { limit, cursor } = request.query;
    const after = cursor === undefined ? 0 : decodeCursor(cursor, isIdCursor).id;
    const { rows } = await app.db.query<SensorRow>(`SELECT ${SENSOR_COLUMNS} FROM sensors WHERE id > $1 ORDER BY id LIMIT $2`, [after, limit + 1]);
    return pageOf(rows, limit, toSensor, (row) => ({ id: Number(row.id) }));
  });

  app.post<{ Body: CreateSensorBody }>('/sensors', {
    config: adminOnly,
    schema: {
      operationId: 'createSensor',
      tags: ['admin'],
      summary: 'Register a sensor; the response holds its API key, shown this once',
      body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: sensorNameSchema } },
      response: {
        201: { type: 'object', required: [...sensorSchema.required, 'apiKey'], properties: { ...sensorSchema.properties, apiKey: { type: 'string' } } },
        ...errorResponses,
      },
    },
  }, async (request, reply) => {
    const apiKey = newOpaqueToken('sk_');
    const sensor = await app.db.transaction(async (client) => {
      const { rows } = await client.query<SensorRow>(
        `INSERT INTO sensors (name, api_key_hash) VALUES ($1, $2) RETURNING ${SENSOR_COLUMNS}`,
        [request.body.name, sha256Hex(apiKey)],
      );
      const created = toSensor(rows[0]);
      await app.audit({ actor: request.principal, action: 'sensor.create', targetType: 'sensor', targetId: created.id, details: { name: created.name } }, client);
      return created;
    });
    return reply.code(201).send({ ...sensor, apiKey });
  });

  app.patch<{ Params: IdParams; Body: UpdateSensorBody }>('/sensors/:id', {
    config: adminOnly,
    schema: {
      operationId: 'updateSensor',
      tags: ['admin'],
      summary: 'Rename or disable a sensor (a disabled sensor\'s key is refused with 401)',
      params: idParams,
      body: { type: 'object', minProperties: 1, additionalProperties: false, properties: { name: sensorNameSchema, disabled: { type: 'boolean' } } },
      response: { 200: sensorSchema, ...errorResponses },
    },
  }, async (request) => {
    const { id } = request.params;
    const { name, disabled } = request.body;
    return app.db.transaction(async (client) => {
      const { rows } = await client.query<SensorRow>(
        `UPDATE sensors SET name = COALESCE($2, name), disabled = COALESCE($3, disabled) WHERE id = $1 RETURNING ${SENSOR_COLUMNS}`,
        [id, name ?? null, disabled ?? null],
      );
      if (rows[0] === undefined) throw notFound(`sensor ${id}`);
      await app.audit({ actor: request.principal, action: 'sensor.update', targetType: 'sensor', targetId: id, details: { ...request.body } }, client);
      return toSensor(rows[0]);
    });
  });

  // ---- audit log -----------------------------------------------------------------------
  app.get<{ Querystring: AuditQuery }>('/audit-log', {
    config: adminOnly,
    schema: {
      operationId: 'listAuditLog',
      tags: ['admin'],
      summary: 'Audit entries, newest first; filters action, actorKind, actorId, targetType, from, to',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ...pageQuery,
          action: { type: 'string', minLength: 1, maxLength: 100 },
          actorKind: { type: 'string', enum: ['user', 'sensor', 'system'] },
          actorId: { type: 'integer', minimum: 1 },
          targetType: { type: 'string', minLength: 1, maxLength: 100 },
          from: dateTime,
          to: dateTime,
        },
      },
      response: { 200: pageSchema(auditSchema), ...errorResponses },
    },
  }, async (request) => {
    const { limit, cursor, action, actorKind, actorId, targetType, from, to } = request.query;
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (n: number) => string, value: unknown): void => {
      params.push(value);
      where.push(sql(params.length));
    };
    if (cursor !== undefined) {
      const position = decodeCursor(cursor, isAuditCursor);
      params.push(position.t, position.id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    if (action !== undefined) add((n) => `action = $${n}`, action);
    if (actorKind !== undefined) add((n) => `actor_kind = $${n}`, actorKind);
    if (actorId !== undefined) add((n) => `actor_id = $${n}`, actorId);
    if (targetType !== undefined) add((n) => `target_type = $${n}`, targetType);
    if (from !== undefined) add((n) => `created_at >= $${n}`, from);
    if (to !== undefined) add((n) => `created_at < $${n}`, to);
    params.push(limit + 1);
    const { rows } = await app.db.query<AuditRow>(
      `SELECT id, actor_kind, actor_id, action, target_type, target_id, details, created_at, created_at::text AS created_key FROM audit_log
        ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return pageOf(
      rows,
      limit,
      (row) => ({
        id: Number(row.id),
        actorKind: row.actor_kind,
        actorId: row.actor_id === null ? null : Number(row.actor_id),
        action: row.action,
        targetType: row.target_type,
        targetId: row.target_id,
        details: row.details,
        createdAt: row.created_at.toISOString(),
      }),
      // The cursor keeps the full microsecond timestamp (a JS Date would round it to milliseconds).
      (row) => ({ t: row.created_key, id: Number(row.id) }),
    );
  });
}
