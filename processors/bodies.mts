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

/** Send `value` as the request's JSON body (replacing any literal body of the script). */
export function setJson(req: RequestParams, value: unknown): void {
  req.json = value;
  delete req.body;
}
