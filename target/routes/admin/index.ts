// Routes under /api/v1/admin (CORE). Registered by target/app.ts with that prefix.
import type { FastifyInstance } from 'fastify';

export default async function adminRoutes(app: FastifyInstance): Promise<void> {
  void app;
}
