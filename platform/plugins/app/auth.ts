// Service plugin: default-deny authentication and role checks for every route.
// A route is open only with `config: { public: true }`. Otherwise the request must carry
// `Authorization: Bearer <access JWT>` (users) or `X-API-Key: <key>` (sensors); the principal is
// loaded from the database on each request so disabled users/sensors and role changes apply at once.
// A sensor's last_seen_at is written at most once a minute per sensor, without delaying the request.
// Allowed roles: `config.roles`, by default every user role (USER_ROLES: analysts and admins, not
// sensors). 401 without valid credentials, 403 with the wrong role.
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from '../../errors.ts';
import { sha256Hex, verifyAccessToken } from '../../lib/tokens.ts';
import { USER_ROLES } from '../../domain/vocabulary.ts';
import type { Principal, Role, UserRole } from '../../types.ts';

export const DEFAULT_ROLES: readonly Role[] = USER_ROLES;

type UserRow = { id: string; username: string; role: UserRole; disabled: boolean };
type SensorRow = { id: string; name: string; disabled: boolean };

/** How often a sensor's last_seen_at is written at most (it is shown to admins, not used by auth). */
const LAST_SEEN_EVERY_MS = 60_000;

async function authenticate(app: FastifyInstance, request: FastifyRequest, lastSeen: Map<number, number>): Promise<Principal> {
  const header = request.headers.authorization;
  const apiKey = request.headers['x-api-key'];
  if (typeof header === 'string' && header !== '') {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match === null) throw unauthorized('Authorization header must be "Bearer <accessToken>"');
    const userId = await verifyAccessToken(match[1], app.config.jwtSecret);
    if (userId === undefined) throw unauthorized('access token is invalid or expired; log in again or refresh it');
    const { rows } = await app.db.query<UserRow>('SELECT id, username, role, disabled FROM users WHERE id = $1', [userId]);
    const user = rows.at(0);
    if (user === undefined || user.disabled) throw unauthorized('user is unknown or disabled');
    return { kind: 'user', id: Number(user.id), username: user.username, role: user.role };
  }
  if (typeof apiKey === 'string' && apiKey !== '') {
    const { rows } = await app.db.query<SensorRow>('SELECT id, name, disabled FROM sensors WHERE api_key_hash = $1', [sha256Hex(apiKey)]);
    const sensor = rows.at(0);
    if (sensor === undefined || sensor.disabled) throw unauthorized('API key is unknown or its sensor is disabled');
    const id = Number(sensor.id);
    const now = Date.now();
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

function authPlugin(app: FastifyInstance): void {
  app.decorateRequest<Principal | null>('principal', null);
  const lastSeen = new Map<number, number>();
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (config.public === true) return;
    const principal = await authenticate(app, request, lastSeen);
    const roles = config.roles ?? DEFAULT_ROLES;
    if (!roles.includes(roleOf(principal))) {
      throw forbidden(`this operation needs role ${roles.join(' or ')}`);
    }
    request.principal = principal;
  });
}

export default fp(authPlugin, { name: 'auth', fastify: '5.x', dependencies: ['db'] });
