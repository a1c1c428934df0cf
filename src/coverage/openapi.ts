// Where coverage gets the platform's OpenAPI document: from a running platform over HTTP
// (`<target>/api/v1/openapi.json`), or built in-process through the platform's public entry
// (platform/index.ts: the app without workers, no database needed).
import { usageError } from '../core/errors.ts';
import { checkReachable } from '../compose/target.ts';
import type { ExtendApp } from '../../platform/index.ts';

/** The platform's document built in-process; `extend` adds routes first (tests: a route without a scenario). */
export async function openApiFromApp(extend?: ExtendApp): Promise<unknown> {
  // Loaded on demand: `rampart coverage --target` never loads the platform's code.
  const { openApiDocument } = await import('../../platform/index.ts');
  return openApiDocument(extend);
}

/** The document a running platform serves; unreachable -> exit 3, any answer but 200 -> exit 2. */
export async function openApiFromTarget(base: string): Promise<unknown> {
  await checkReachable(base);
  const res = await fetch(`${base}/api/v1/openapi.json`, { signal: AbortSignal.timeout(15_000) });
  if (res.status !== 200) throw usageError(`${base}/api/v1/openapi.json answered ${res.status}`);
  return res.json();
}
