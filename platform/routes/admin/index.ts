// Routes under /api/v1/admin (CORE), role admin only, one module per resource:
//   users:     GET /users, POST /users, GET /users/:id, PATCH /users/:id, DELETE /users/:id   (users.ts)
//   sensors:   GET /sensors, POST /sensors (the API key is returned once), PATCH /sensors/:id (sensors.ts)
//   audit log: GET /audit-log (filters action, actorKind, actorId, targetType, from, to)      (audit-log.ts)
// Every change writes an audit entry in the same transaction as the change (the repositories do).
import type { FastifyInstance } from 'fastify';
import usersRoutes from './users.ts';
import sensorsRoutes from './sensors.ts';
import auditLogRoutes from './audit-log.ts';

export default async function adminRoutes(app: FastifyInstance): Promise<void> {
  await app.register(usersRoutes);
  await app.register(sensorsRoutes);
  await app.register(auditLogRoutes);
}
