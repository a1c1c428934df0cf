// The platform's public entry for the rest of the repository (the coverage stage, tests, benchmarks):
// build the app, read its configuration, or produce its OpenAPI document without a database.
// Everything else under platform/ is its internals.
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';

export { buildApp } from './app.ts';
export { loadConfig } from './config.ts';
export type { PlatformConfig } from './config.ts';

/** Adds routes to the app before its document is generated (tests: a route no scenario calls). */
export type ExtendApp = (app: FastifyInstance) => void | Promise<void>;

/**
 * The platform's OpenAPI 3 document, built in-process: the app without workers over a pool that never
 * connects (no database is needed), `extend` applied, then `app.swagger()`; the app is closed after.
 */
export async function openApiDocument(extend?: ExtendApp): Promise<unknown> {
  const config = loadConfig({
    DATABASE_URL: 'postgres://rampart:unused@127.0.0.1:1/openapi',
    JWT_SECRET: 'openapi-only-secret-never-used-for-tokens-00000',
    LOG_LEVEL: 'silent',
  });
  const app = await buildApp(config, { logger: false, workers: false });
  try {
    if (extend !== undefined) await extend(app);
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
  }
}
