// Routes under /api/v1/analytics (INSIGHT). Registered by target/app.ts with that prefix.
import type { FastifyInstance } from 'fastify';

export default async function analyticsRoutes(app: FastifyInstance): Promise<void> {
  void app;
}
