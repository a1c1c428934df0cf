// Route module (DETECT): registered by target/app.ts under its prefix. Routes are added as they land.
import type { FastifyInstance } from 'fastify';

export default async function incidentsRoutes(app: FastifyInstance): Promise<void> {
  void app;
}
