// Service plugin: default-deny authentication and role checks for every route.
// A route is open only with `config: { public: true }`. Otherwise the request must carry
// `Authorization: Bearer <access JWT>` (users) or `X-API-Key: <key>` (sensors); the principal is
// loaded from the database on each request so disabled users/sensors and role changes apply at once.
// A sensor's last_seen_at is written at most once a minute per sensor, without delaying the request.
// Allowed roles: `config.roles`, by default every user role (USER_ROLES: analysts and admins, not
// sensors). 401 without valid credentials, 403 with the wrong role.
// Failed authentication is counted per client (app.authFailures, AUTH_FAILURES_PER_MINUTE; the
// login and refresh routes count theirs in the same budget). A client whose budget is spent gets a
// 429 with Retry-After instead of a check: a bad JWT is refused without more work, an API key this
// process has not seen valid recently is refused before its database lookup. A JWT with a valid
// signature and a key seen valid are not guesses, so they still pass: a sensor or a user behind the
// same address as an attacker keeps working.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden, rateLimited, unauthorized } from '../../errors.ts';
import { clientKey, FailureBudget } from '../../lib/failure-budget.ts';
import { sha256Hex, verifyAccessToken } from '../../lib/tokens.ts';
import { USER_ROLES } from '../../domain/vocabulary.ts';
import type { Principal, Role, UserRole } from '../../types.ts';

export const DEFAULT_ROLES: readonly Role[] = USER_ROLES;

type UserRow = { id: string; username: string; role: UserRole; disabled: boolean };
type SensorRow = { id: string; name: string; disabled: boolean };

/** How often a sensor's last_seen_at is written at most (it is shown to admins, not used by auth). */
const LAST_SEEN_EVERY_MS = 60_000;

/** How long an API key found valid is let past a spent failure budget without being a guess. */
const KEY_SEEN_VALID_MS = 10 * 60_000;

/** The failure budget's refusal: 429 `rate_limited` with the seconds to wait. */
export function tooManyFailures(retryAfterSeconds: number): Error {
  return rateLimited(`too many failed authentications from this client; retry in ${retryAfterSeconds} s`, retryAfterSeconds);
}

/** Counts a failed authentication of the request's client and returns the 401 to throw. */
export function failedAuthentication(app: FastifyInstance, request: FastifyRequest, message: string): Error {
  app.authFailures.fail(clientKey(request.ip));
  return unauthorized(message);
}

type AuthState = { lastSeen: Map<number, number>; validKeys: Map<string, number> };

async function authenticate(app: FastifyInstance, request: FastifyRequest, state: AuthState): Promise<Principal> {
  const header = request.headers.authorization;
  const apiKey = request.headers['x-api-key'];
  const spent = app.authFailures.retryAfter(clientKey(request.ip));
  if (typeof header === 'string' && header !== '') {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const userId = match === null ? undefined : await verifyAccessToken(match[1], app.config.jwtSecret);
    if (userId === undefined && spent !== undefined) throw tooManyFailures(spent);
    if (match === null) throw failedAuthentication(app, request, 'Authorization header must be "Bearer <accessToken>"');
    if (userId === undefined) throw failedAuthentication(app, request, 'access token is invalid or expired; log in again or refresh it');
    const { rows } = await app.db.query<UserRow>('SELECT id, username, role, disabled FROM users WHERE id = $1', [userId]);
    const user = rows.at(0);
    if (user === undefined || user.disabled) throw unauthorized('user is unknown or disabled');
    return { kind: 'user', id: Number(user.id), username: user.username, role: user.role };
  }
  if (typeof apiKey === 'string' && apiKey !== '') {
    const hash = sha256Hex(apiKey);
    const now = Date.now();
    if (spent !== undefined && (state.validKeys.get(hash) ?? 0) < now) throw tooManyFailures(spent);
    const { rows } = await app.db.query<SensorRow>('SELECT id, name, disabled FROM sensors WHERE api_key_hash = $1', [hash]);
    const sensor = rows.at(0);
    if (sensor === undefined || sensor.disabled) {
      state.validKeys.delete(hash);
      throw failedAuthentication(app, request, 'API key is unknown or its sensor is disabled');
    }
    state.validKeys.set(hash, now + KEY_SEEN_VALID_MS);
    const id = Number(sensor.id);
    const lastSeen = state.lastSeen;
    if (now - (lastSeen.get(id) ?? 0) >= LAST_SEEN_EVERY_MS) {
      lastSeen.set(id, now);
      // Not awaited: the request does not wait for this bookkeeping write.
      app.db.query('UPDATE sensors SET last_seen_at = now() WHERE id = $1', [id]).catch((error: unknown) => {
        request.log.warn({ err: error, sensorId: id }, 'could not record sensor last_seen_at');
      });
    }
    return { kind: 'sensor', id, name: sensor.name };
  }
  throw unauthorized('credentials required: send "Authorization: Bearer <accessToken>" or "X-API-Key: <key>"');
}

export function roleOf(principal: Principal): Role {
  return principal.kind === 'sensor' ? 'sensor' : principal.role;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Failed authentications per client (AUTH_FAILURES_PER_MINUTE), shared by every credential check. */
    authFailures: FailureBudget;
  }
}

function authPlugin(app: FastifyInstance): void {
  app.decorateRequest<Principal | null>('principal', null);
  app.decorate('authFailures', new FailureBudget(app.config.authFailuresPerMinute));
  const state: AuthState = { lastSeen: new Map(), validKeys: new Map() };
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (config.public === true) return;
    const principal = await authenticate(app, request, state);
    const roles = config.roles ?? DEFAULT_ROLES;
    if (!roles.includes(roleOf(principal))) {
      throw forbidden(`this operation needs role ${roles.join(' or ')}`);
    }
    request.principal = principal;
  });
}

export default fp(authPlugin, { name: 'auth', fastify: '5.x', dependencies: ['db'] });
