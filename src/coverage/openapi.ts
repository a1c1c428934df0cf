// Where coverage gets the platform's OpenAPI document: from a running platform over HTTP
// (`<target>/api/v1/openapi.json`), or built in-process from the platform's app (no database needed).
import type { FastifyInstance } from 'fastify';
import { usageError } from '../core/errors.ts';
import { checkReachable } from '../compose/target.ts';

/** Adds routes to the app before its document is generated (tests: a route without a scenario). */
export type ExtendApp = (app: FastifyInstance) => void | Promise<void>;

/**
 * The platform's OpenAPI document, built in-process: buildApp without workers over a pool that is
 * never used (nothing connects).
 */
export async function openApiFromApp(extend?: ExtendApp): Promise<unknown> {
  // Temporary: platform/config.ts and platform/app.ts until the platform's public entry
  // (platform/index.ts, openApiDocument) exists.
  const { loadConfig } = await import('../../platform/config.ts');
  const { buildApp } = await import('../../platform/app.ts');
  const config = loadConfig({
    DATABASE_URL: 'postgres://rampart:unused@127.0.0.1:1/coverage',
    JWT_SECRET: 'coverage-only-secret-never-used-for-tokens-0000',
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

/** The document a running platform serves; unreachable -> exit 3, any answer but 200 -> exit 2. */
export async function openApiFromTarget(base: string): Promise<unknown> {
  await checkReachable(base);
  const res = await fetch(`${base}/api/v1/openapi.json`, { signal: AbortSignal.timeout(15_000) });
  if (res.status !== 200) throw usageError(`${base}/api/v1/openapi.json answered ${res.status}`);
  return res.json();
}
