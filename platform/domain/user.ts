// A user as the API shows it (never the password hash): the schema the auth and admin routes answer
// with, and the type derived from it.
import type { FromSchema } from 'json-schema-to-ts';
import { dateTime } from '../schemas.ts';
import { USER_ROLES } from './vocabulary.ts';

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

export type User = FromSchema<typeof userSchema>;
