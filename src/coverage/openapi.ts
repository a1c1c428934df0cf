// Where coverage gets the platform's OpenAPI document: from a running platform over HTTP
// (`<target>/api/v1/openapi.json`), or built in-process through the platform's public entry
// (platform/index.ts: the app without workers, no database needed).
import { untrustworthy, usageError } from '../core/errors.ts';
import { checkReachable, httpGet, redactTarget } from '../compose/target.ts';
import type { ExtendApp } from '../../platform/index.ts';

/** The platform's document built in-process; `extend` adds routes first (tests: a route without a scenario). */
export async function openApiFromApp(extend?: ExtendApp): Promise<unknown> {
  // Loaded on demand: `rampart coverage --target` never loads the platform's code.
  const { openApiDocument } = await import('../../platform/index.ts');
  return openApiDocument(extend);
}

/** The document a running platform serves; unreachable -> exit 3, any answer but 200 or not JSON -> exit 2. */
export async function openApiFromTarget(base: string): Promise<unknown> {
  await checkReachable(base);
  const where = `${redactTarget(base)}/api/v1/openapi.json`;
  let answer;
  try {
    answer = await httpGet(new URL(`${base}/api/v1/openapi.json`), 15_000);
  } catch (error) {
    throw untrustworthy(`${where}: no answer (${(error as { code?: string }).code ?? 'error'}); check the platform at --target`);
  }
  if (answer.status !== 200) throw usageError(`${where} answered ${answer.status}; give --target a running platform's URL`);
  try {
    return JSON.parse(answer.body) as unknown;
  } catch {
    throw usageError(`${where}: the answer is not JSON; give --target a running platform's URL`);
  }
}
