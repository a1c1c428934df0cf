// Request and response bodies: parse what the platform answered, set what a hook sends.
import type { RequestParams } from './types.mts';

/** A response body as JSON (Artillery hands it over as a string); null when it is not JSON. */
export function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return null;
  }
}

/** A JSON object body as a record of its fields (empty when the body is not an object). */
export const objectOf = (body: unknown): Record<string, unknown> => {
  const parsed = parseBody(body);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
};

/** The `items` of a list response (an empty list when there are none). */
export const itemsOf = (body: unknown): Record<string, unknown>[] => {
  const items = objectOf(body).items;
  return Array.isArray(items) ? (items as Record<string, unknown>[]) : [];
};

/**
 * Send `value` as the request's JSON body (replacing any literal body of the script), serialised
 * here. Artillery templates a `json` body after the beforeRequest hooks: it deep-clones the object
 * and renders every field (lodash path lookups, a JSON.stringify per field for a debug line even
 * with debugging off), which cost ~360 µs per event of a batch and saturated the generator's worker
 * at rate-scale 2 (docs/analysis.md, "The generator at rate-scale 2"). A string body is only checked
 * for `{{` once. Our bodies never hold a template.
 */
export function setJson(req: RequestParams, value: unknown): void {
  setJsonText(req, JSON.stringify(value));
}

/** Send an already serialised JSON text as the request's body (e.g. a batch replayed byte for byte). */
export function setJsonText(req: RequestParams, text: string): void {
  delete req.json;
  req.body = text;
  req.headers = { ...(req.headers ?? {}), 'content-type': 'application/json' };
}
