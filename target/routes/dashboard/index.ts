// Routes under /api/v1/dashboard (INSIGHT). Registered by target/app.ts with that prefix.
import type { FastifyInstance } from 'fastify';

export default async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  void app;
}
