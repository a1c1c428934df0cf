// Routes under /api/v1/auth (CORE):
//   POST /login    public; bcrypt check, then a short-lived JWT access token and an opaque refresh
//                  token (stored as SHA-256). Rate limited per username (LOGIN_RATE_LIMIT_PER_MINUTE).
//   POST /refresh  public; rotates: the presented refresh token is revoked and a new pair issued.
//                  Presenting an already revoked token revokes all of that user's tokens (reuse).
//   POST /logout   revokes the caller's refresh token; 204.
//   GET  /me       the current user.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hash, verify } from '@node-rs/bcrypt';
import type pg from 'pg';
import { unauthorized } from '../../errors.ts';
import { errorResponses, publicErrorResponses } from '../../schemas.ts';
import { newOpaqueToken, sha256Hex, signAccessToken } from '../../lib/tokens.ts';
import { USER_COLUMNS, toUser, userSchema } from '../../lib/users.ts';
import type { UserRow } from '../../lib/users.ts';
import type { UserRole } from '../../types.ts';

type LoginBody = { username: string; password: string };
type RefreshBody = { refreshToken: string };

const tokenPair = {
  type: 'object',
  required: ['accessToken', 'refreshToken', 'expiresIn', 'tokenType', 'user'],
  properties: {
    accessToken: { type: 'string' },
    refreshToken: { type: 'string' },
    expiresIn: { type: 'integer', description: 'access token lifetime in seconds' },
    tokenType: { type: 'string', enum: ['Bearer'] },
    user: {
      type: 'object',
      required: ['id', 'username', 'role'],
      properties: { id: { type: 'integer' }, username: { type: 'string' }, role: { type: 'string', enum: ['analyst', 'admin'] } },
    },
  },
} as const;

const refreshBody = {
  type: 'object',
  required: ['refreshToken'],
  additionalProperties: false,
  properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

type Identity = { id: number; username: string; role: UserRole };

export default async function authRoutes(app: FastifyInstance): Promise<void> {
  const { config } = app;

  // A hash to compare against when the username does not exist, so that a miss costs as much
  // time as a wrong password and does not reveal which usernames exist. Made on first use.
  let decoy: Promise<string> | undefined;
  const decoyHash = (): Promise<string> => (decoy ??= hash('decoy-password-never-matches', config.bcryptCost));

  async function issue(client: pg.PoolClient, user: Identity): Promise<{ accessToken: string; refreshToken: string; expiresIn: number; tokenType: 'Bearer'; user: Identity }> {
    const refreshToken = newOpaqueToken('rt_');
    await client.query(
      `INSERT INTO refresh_tokens (user_id, token_hash, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`,
      [user.id, sha256Hex(refreshToken), config.refreshTokenTtlSeconds],
    );
    const accessToken = await signAccessToken({ userId: user.id, username: user.username, role: user.role }, config.jwtSecret, config.accessTokenTtlSeconds);
    return { accessToken, refreshToken, expiresIn: config.accessTokenTtlSeconds, tokenType: 'Bearer', user };
  }

  app.post<{ Body: LoginBody }>('/login', {
    config: {
      public: true,
      rateLimit: {
        max: config.loginRateLimitPerMinute,
        timeWindow: 60_000,
        keyGenerator: (request: FastifyRequest) => `login:${String((request.body as LoginBody | undefined)?.username ?? '').toLowerCase()}`,
      },
    },
    schema: {
      operationId: 'login',
      tags: ['auth'],
      summary: 'Log in with username and password',
      body: {
        type: 'object',
        required: ['username', 'password'],
        additionalProperties: false,
        properties: { username: { type: 'string', minLength: 1, maxLength: 100 }, password: { type: 'string', minLength: 1, maxLength: 200 } },
      },
      response: { 200: tokenPair, 401: publicErrorResponses[400], ...publicErrorResponses },
    },
  }, async (request) => {
    const { username, password } = request.body;
    const { rows } = await app.db.query<{ id: string; username: string; role: UserRole; password_hash: string; disabled: boolean }>(
      'SELECT id, username, role, password_hash, disabled FROM users WHERE username = $1',
      [username],
    );
    const user = rows[0];
    const matches = await verify(password, user?.password_hash ?? (await decoyHash()));
    if (user === undefined || !matches || user.disabled) throw unauthorized('invalid username or password');
    const identity = { id: Number(user.id), username: user.username, role: user.role };
    return app.db.transaction((client) => issue(client, identity));
  });

  app.post<{ Body: RefreshBody }>('/refresh', {
    config: { public: true },
    schema: {
      operationId: 'refreshToken',
      tags: ['auth'],
      summary: 'Exchange a refresh token for a new token pair (the old refresh token is revoked)',
      body: refreshBody,
      response: { 200: tokenPair, 401: publicErrorResponses[400], ...publicErrorResponses },
    },
  }, async (request) => {
    const tokenHash = sha256Hex(request.body.refreshToken);
    const outcome = await app.db.transaction(async (client) => {
      const { rows } = await client.query<{ id: string; user_id: string; expired: boolean; revoked: boolean; username: string; role: UserRole; disabled: boolean }>(
        `SELECT rt.id, rt.user_id, rt.expires_at <= now() AS expired, rt.revoked_at IS NOT NULL AS revoked, u.username, u.role, u.disabled
           FROM refresh_tokens rt JOIN users u ON u.id = rt.user_id
          WHERE rt.token_hash = $1
          FOR UPDATE OF rt`,
        [tokenHash],
      );
      const row = rows[0];
      if (row === undefined) return { ok: false as const, message: 'refresh token is unknown; log in again' };
      if (row.revoked) {
        // A rotated token presented again: someone holds a copy. Revoke the whole family.
        await client.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [row.user_id]);
        return { ok: false as const, message: 'refresh token was already used; all sessions of this user are revoked, log in again' };
      }
      if (row.expired || row.disabled) return { ok: false as const, message: 'refresh token is expired or the user is disabled; log in again' };
      await client.query('UPDATE refresh_tokens SET revoked_at = now() WHERE id = $1', [row.id]);
      return { ok: true as const, pair: await issue(client, { id: Number(row.user_id), username: row.username, role: row.role }) };
    });
    if (!outcome.ok) throw unauthorized(outcome.message);
    return outcome.pair;
  });

  app.post<{ Body: RefreshBody }>('/logout', {
    schema: {
      operationId: 'logout',
      tags: ['auth'],
      summary: 'Revoke a refresh token of the current user',
      body: refreshBody,
      response: { 204: { type: 'null', description: 'revoked (or already unusable)' }, ...errorResponses },
    },
  }, async (request, reply) => {
    await app.db.query(
      'UPDATE refresh_tokens SET revoked_at = now() WHERE token_hash = $1 AND user_id = $2 AND revoked_at IS NULL',
      [sha256Hex(request.body.refreshToken), request.principal.id],
    );
    return reply.code(204).send();
  });

  app.get('/me', {
    schema: {
      operationId: 'me',
      tags: ['auth'],
      summary: 'The current user',
      response: { 200: userSchema, ...errorResponses },
    },
  }, async (request) => {
    const { rows } = await app.db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [request.principal.id]);
    const row = rows[0];
    if (row === undefined) throw unauthorized('user no longer exists');
    return toUser(row);
  });
}
