// Routes under /api/v1/indicators (INSIGHT). Registered by target/app.ts with that prefix.
import type { FastifyInstance } from 'fastify';

export default async function indicatorsRoutes(app: FastifyInstance): Promise<void> {
  void app;
}
