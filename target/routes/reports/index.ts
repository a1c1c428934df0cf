// Routes under /api/v1/reports (INSIGHT). Registered by target/app.ts with that prefix.
import type { FastifyInstance } from 'fastify';

export default async function reportsRoutes(app: FastifyInstance): Promise<void> {
  void app;
}
