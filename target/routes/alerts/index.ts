// Route module (DETECT): registered by target/app.ts under its prefix. Routes are added as they land.
import type { FastifyInstance } from 'fastify';

export default async function alertsRoutes(app: FastifyInstance): Promise<void> {
  void app;
}
