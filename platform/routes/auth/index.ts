// Routes under /api/v1/auth (CORE):
//   POST /login    public; bcrypt check, then a short-lived JWT access token and an opaque refresh
//                  token (stored as SHA-256). Rate limited per (username, client address)
//                  (LOGIN_RATE_LIMIT_PER_MINUTE), so nobody elsewhere can lock a user out; a failure
//                  counts in the client's failed-authentication budget (app.authFailures), checked
//                  before bcrypt runs, which stops password spraying across usernames.
//   POST /refresh  public; rotates: the presented refresh token is revoked and a new pair issued.
//                  Presenting an already revoked token revokes all of that user's tokens (reuse).
//                  An unusable token counts in the same budget.
// Token responses are sent with Cache-Control: no-store (route config `secret`).
//   POST /logout   revokes the caller's refresh token; 204.
//   GET  /me       the current user.
// Passwords and tokens are checked and made here; the SQL is app.usersRepository's and
// app.sessionsRepository's. Handler types come from the schemas below (JSON-schema type provider).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import { hash, verify } from '@node-rs/bcrypt';
import { USER_ROLES } from '../../domain/vocabulary.ts';
import { unauthorized } from '../../errors.ts';
import { clientKey } from '../../lib/failure-budget.ts';
import { newOpaqueToken, sha256Hex, signAccessToken } from '../../lib/tokens.ts';
import { userSchema } from '../../domain/user.ts';
import type { SessionUser } from '../../plugins/app/sessions/sessions-repository.ts';
import { failedAuthentication, tooManyFailures } from '../../plugins/app/auth.ts';
import { errorResponses, publicErrorResponses } from '../../schemas.ts';

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
      properties: { id: { type: 'integer' }, username: { type: 'string' }, role: { type: 'string', enum: USER_ROLES } },
    },
  },
} as const;

const refreshBody = {
  type: 'object',
  required: ['refreshToken'],
  additionalProperties: false,
  properties: { refreshToken: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

const login = {
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
} as const;

const refreshToken = {
  operationId: 'refreshToken',
  tags: ['auth'],
  summary: 'Exchange a refresh token for a new token pair (the old refresh token is revoked)',
  body: refreshBody,
  response: { 200: tokenPair, 401: publicErrorResponses[400], ...publicErrorResponses },
} as const;

const logout = {
  operationId: 'logout',
  tags: ['auth'],
  summary: 'Revoke a refresh token of the current user',
  body: refreshBody,
  response: { 204: { type: 'null', description: 'revoked (or already unusable)' }, ...errorResponses },
} as const;

const me = {
  operationId: 'me',
  tags: ['auth'],
  summary: 'The current user',
  response: { 200: userSchema, ...errorResponses },
} as const;

/**
 * The login rate limit's key: the username asked for, from this client (the body is not validated
 * yet when it runs). Per client, so that failures elsewhere cannot lock the user out.
 */
function loginKey(request: FastifyRequest): string {
  const username = (request.body as { username?: unknown } | undefined)?.username;
  return `login:${clientKey(request.ip)}:${typeof username === 'string' ? username.toLowerCase() : ''}`;
}

export default function authRoutes(fastify: FastifyInstance): void {
  const app = fastify.withTypeProvider<JsonSchemaToTsProvider>();
  const { config, usersRepository: users, sessionsRepository: sessions, authFailures } = app;

  /** Refuses, before any check, a client whose failed-authentication budget is spent. */
  function withinBudget(request: FastifyRequest): void {
    const spent = authFailures.retryAfter(clientKey(request.ip));
    if (spent !== undefined) throw tooManyFailures(spent);
  }

  // A hash to compare against when the username does not exist, so that a miss costs as much
  // time as a wrong password and does not reveal which usernames exist. Made on first use.
  let decoy: Promise<string> | undefined;
  const decoyHash = (): Promise<string> => (decoy ??= hash('decoy-password-never-matches', config.bcryptCost));

  /** A new token pair for a user whose refresh token `refreshToken` is already stored. */
  async function pair(user: SessionUser, refreshToken: string) {
    const accessToken = await signAccessToken({ userId: user.id, username: user.username, role: user.role }, config.jwtSecret, config.accessTokenTtlSeconds);
    return { accessToken, refreshToken, expiresIn: config.accessTokenTtlSeconds, tokenType: 'Bearer' as const, user };
  }

  app.post('/login', {
    config: { public: true, secret: true, rateLimit: { max: config.loginRateLimitPerMinute, timeWindow: 60_000, keyGenerator: loginKey } },
    schema: login,
  }, async (request) => {
    withinBudget(request);
    const { username, password } = request.body;
    const user = await users.byUsername(username);
    const matches = await verify(password, user?.passwordHash ?? (await decoyHash()));
    if (user === undefined || !matches || user.disabled) throw failedAuthentication(app, request, 'invalid username or password');
    const refresh = newOpaqueToken('rt_');
    await sessions.open(user.id, sha256Hex(refresh), config.refreshTokenTtlSeconds);
    return pair({ id: user.id, username: user.username, role: user.role }, refresh);
  });

  app.post('/refresh', { config: { public: true, secret: true }, schema: refreshToken }, async (request) => {
    withinBudget(request);
    const refresh = newOpaqueToken('rt_');
    const rotation = await sessions.rotate(sha256Hex(request.body.refreshToken), sha256Hex(refresh), config.refreshTokenTtlSeconds);
    if (!rotation.ok) throw failedAuthentication(app, request, rotation.message);
    return pair(rotation.user, refresh);
  });

  app.post('/logout', { schema: logout }, async (request, reply) => {
    await sessions.revoke(sha256Hex(request.body.refreshToken), request.principal.id);
    return reply.code(204).send(null);
  });

  app.get('/me', { schema: me }, async (request) => {
    const user = await users.byId(request.principal.id);
    if (user === undefined) throw unauthorized('user no longer exists');
    return user;
  });
}
