// Domain service: app.sessionsRepository, the SQL on refresh tokens (sign-in sessions). Tokens are
// stored as their SHA-256 only. Rotation runs in one transaction: the presented token is revoked
// and its successor stored; a token presented again after rotation revokes the whole family (all
// of that user's tokens), since someone holds a copy.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { UserRole } from '../../../domain/vocabulary.ts';
import type { Queryable } from '../../../lib/sql.ts';

/** Who a session belongs to, as the access token names them. */
export type SessionUser = { id: number; username: string; role: UserRole };

export type Rotation = { ok: true; user: SessionUser } | { ok: false; message: string };

async function store(client: Queryable, userId: number, tokenHash: string, ttlSeconds: number): Promise<void> {
  await client.query(
    `INSERT INTO refresh_tokens (user_id, token_hash, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))`,
    [userId, tokenHash, ttlSeconds],
  );
}

function createSessionsRepository(app: FastifyInstance) {
  const db = app.db;
  return {
    /** Stores a new refresh token (by its hash) for the user, valid for ttlSeconds. */
    async open(userId: number, tokenHash: string, ttlSeconds: number): Promise<void> {
      await store(db, userId, tokenHash, ttlSeconds);
    },

    /** Exchanges the token `presentedHash` for `nextHash`; says why not when it cannot. */
    async rotate(presentedHash: string, nextHash: string, ttlSeconds: number): Promise<Rotation> {
      return db.transaction(async (client) => {
        const { rows } = await client.query<{ id: string; user_id: string; expired: boolean; revoked: boolean; username: string; role: UserRole; disabled: boolean }>(
          `SELECT rt.id, rt.user_id, rt.expires_at <= now() AS expired, rt.revoked_at IS NOT NULL AS revoked, u.username, u.role, u.disabled
             FROM refresh_tokens rt JOIN users u ON u.id = rt.user_id
            WHERE rt.token_hash = $1
            FOR UPDATE OF rt`,
          [presentedHash],
        );
        const row = rows.at(0);
        if (row === undefined) return { ok: false, message: 'refresh token is unknown; log in again' };
        if (row.revoked) {
          await client.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [row.user_id]);
          return { ok: false, message: 'refresh token was already used; all sessions of this user are revoked, log in again' };
        }
        if (row.expired || row.disabled) return { ok: false, message: 'refresh token is expired or the user is disabled; log in again' };
        await client.query('UPDATE refresh_tokens SET revoked_at = now() WHERE id = $1', [row.id]);
        const user = { id: Number(row.user_id), username: row.username, role: row.role };
        await store(client, user.id, nextHash, ttlSeconds);
        return { ok: true, user };
      });
    },

    /** Revokes one of the user's tokens; a token that is not theirs or already unusable is left alone. */
    async revoke(tokenHash: string, userId: number): Promise<void> {
      await db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE token_hash = $1 AND user_id = $2 AND revoked_at IS NULL', [tokenHash, userId]);
    },
  };
}

export type SessionsRepository = ReturnType<typeof createSessionsRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    sessionsRepository: SessionsRepository;
  }
}

export default fp(
  (app: FastifyInstance) => {
    app.decorate('sessionsRepository', createSessionsRepository(app));
  },
  { name: 'sessions-repository', fastify: '5.x', dependencies: ['db'] },
);
