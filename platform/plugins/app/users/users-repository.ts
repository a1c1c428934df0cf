// Domain service: app.usersRepository, all the SQL on users (the admin's user management and the
// login lookup). Changes run in one transaction with their audit row (user.create, user.update,
// user.delete); disabling a user or changing their password revokes their refresh tokens in the
// same transaction. Methods answer `undefined` (or false) when the user does not exist.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { UserRole } from '../../../domain/vocabulary.ts';
import { escapeLike, Filter } from '../../../lib/sql.ts';
import { pageOf, type Page } from '../../../lib/pagination.ts';
import type { User } from '../../../domain/user.ts';
import type { Principal } from '../../../types.ts';

export type UserFilters = { limit: number; afterId?: number; role?: UserRole; disabled?: boolean; q?: string };
export type NewUser = { username: string; email: string; displayName: string; role: UserRole; passwordHash: string };
/** What an update sets; `passwordHash` replaces the password. */
export type UserChanges = { email?: string; displayName?: string; role?: UserRole; disabled?: boolean; passwordHash?: string };

/** What a login checks: the stored hash and whether the account may sign in. */
export type LoginUser = { id: number; username: string; role: UserRole; passwordHash: string; disabled: boolean };

type UserRow = {
  id: string;
  username: string;
  email: string;
  display_name: string;
  role: UserRole;
  disabled: boolean;
  created_at: Date;
  updated_at: Date;
};

const USER_COLUMNS = 'id, username, email, display_name, role, disabled, created_at, updated_at';

function toUser(row: UserRow): User {
  return {
    id: Number(row.id),
    username: row.username,
    email: row.email,
    displayName: row.display_name,
    role: row.role,
    disabled: row.disabled,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

const CHANGE_COLUMNS: Record<keyof UserChanges, string> = {
  email: 'email',
  displayName: 'display_name',
  role: 'role',
  disabled: 'disabled',
  passwordHash: 'password_hash',
};

function createUsersRepository(app: FastifyInstance) {
  const db = app.db;
  return {
    /** Users by id; `q` is a substring of username, email or display name. */
    async list(q: UserFilters): Promise<Page<User>> {
      const f = new Filter()
        .add((n) => `id > ${n}`, q.afterId)
        .equals('role', q.role)
        .equals('disabled', q.disabled)
        .add((n) => `(username ILIKE ${n} OR email ILIKE ${n} OR display_name ILIKE ${n})`, q.q === undefined ? undefined : `%${escapeLike(q.q)}%`);
      const limit = f.param(q.limit + 1);
      const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users ${f.where()} ORDER BY id LIMIT ${limit}`, f.params);
      return pageOf(rows, q.limit, toUser, (row) => ({ id: Number(row.id) }));
    },

    async byId(userId: number): Promise<User | undefined> {
      const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1`, [userId]);
      return rows.length === 0 ? undefined : toUser(rows[0]);
    },

    async byUsername(username: string): Promise<LoginUser | undefined> {
      const { rows } = await db.query<{ id: string; username: string; role: UserRole; password_hash: string; disabled: boolean }>(
        'SELECT id, username, role, password_hash, disabled FROM users WHERE username = $1',
        [username],
      );
      const row = rows.at(0);
      return row === undefined ? undefined : { id: Number(row.id), username: row.username, role: row.role, passwordHash: row.password_hash, disabled: row.disabled };
    },

    async create(user: NewUser, actor: Principal): Promise<User> {
      return db.transaction(async (client) => {
        const { rows } = await client.query<UserRow>(
          `INSERT INTO users (username, email, display_name, role, password_hash) VALUES ($1, $2, $3, $4, $5) RETURNING ${USER_COLUMNS}`,
          [user.username, user.email, user.displayName, user.role, user.passwordHash],
        );
        const created = toUser(rows[0]);
        await app.audit({ actor, action: 'user.create', targetType: 'user', targetId: created.id, details: { username: created.username, role: created.role } }, client);
        return created;
      });
    },

    /** Applies `changes` (at least one); `changed` names the fields the caller asked to change, for the audit row. */
    async update(userId: number, changes: UserChanges, changed: string[], actor: Principal): Promise<User | undefined> {
      const f = new Filter();
      const sets = (Object.keys(CHANGE_COLUMNS) as (keyof UserChanges)[])
        .filter((key) => changes[key] !== undefined)
        .map((key) => `${CHANGE_COLUMNS[key]} = ${f.param(changes[key])}`);
      const id = f.param(userId);
      return db.transaction(async (client) => {
        const { rows } = await client.query<UserRow>(
          `UPDATE users SET ${sets.join(', ')}, updated_at = now() WHERE id = ${id} RETURNING ${USER_COLUMNS}`,
          f.params,
        );
        if (rows.length === 0) return undefined;
        if (changes.disabled === true || changes.passwordHash !== undefined) {
          await client.query('UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL', [userId]);
        }
        const details: Record<string, unknown> = { changed };
        if (changes.role !== undefined) details.role = changes.role;
        if (changes.disabled !== undefined) details.disabled = changes.disabled;
        await app.audit({ actor, action: 'user.update', targetType: 'user', targetId: userId, details }, client);
        return toUser(rows[0]);
      });
    },

    /** Deletes a user; false when there is none. The database refuses (23503) while their comments or reports exist. */
    async delete(userId: number, actor: Principal): Promise<boolean> {
      return db.transaction(async (client) => {
        const { rows } = await client.query<{ username: string }>('DELETE FROM users WHERE id = $1 RETURNING username', [userId]);
        if (rows.length === 0) return false;
        await app.audit({ actor, action: 'user.delete', targetType: 'user', targetId: userId, details: { username: rows[0].username } }, client);
        return true;
      });
    },
  };
}

export type UsersRepository = ReturnType<typeof createUsersRepository>;

declare module 'fastify' {
  interface FastifyInstance {
    usersRepository: UsersRepository;
  }
}

export default fp(
  (app: FastifyInstance) => {
    app.decorate('usersRepository', createUsersRepository(app));
  },
  { name: 'users-repository', fastify: '5.x', dependencies: ['db', 'audit'] },
);
