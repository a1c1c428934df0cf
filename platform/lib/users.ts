// The user as the API shows it (never the password hash), shared by auth and admin routes.
import { dateTime } from '../schemas.ts';
import { USER_ROLES, type UserRole } from '../domain/vocabulary.ts';

export type UserRow = {
  id: string;
  username: string;
  email: string;
  display_name: string;
  role: UserRole;
  disabled: boolean;
  created_at: Date;
  updated_at: Date;
};

export type User = {
  id: number;
  username: string;
  email: string;
  displayName: string;
  role: UserRole;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
};

export const USER_COLUMNS = 'id, username, email, display_name, role, disabled, created_at, updated_at';

export function toUser(row: UserRow): User {
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

export const userSchema = {
  type: 'object',
  required: ['id', 'username', 'email', 'displayName', 'role', 'disabled', 'createdAt', 'updatedAt'],
  properties: {
    id: { type: 'integer' },
    username: { type: 'string' },
    email: { type: 'string' },
    displayName: { type: 'string' },
    role: { type: 'string', enum: USER_ROLES },
    disabled: { type: 'boolean' },
    createdAt: dateTime,
    updatedAt: dateTime,
  },
} as const;
