// The endpoint key `METHOD /route/template` (docs/api.md): one name for an operation everywhere -- the
// route label of the metrics, the OpenAPI path, the key of SLO budgets and baselines.
import type { FastifyRequest } from 'fastify';

/** `/api/v1/alerts/` and `/api/v1/alerts` are the same operation: drop a trailing slash. */
export function normaliseTemplate(url: string): string {
  return url.length > 1 && url.endsWith('/') ? url.slice(0, -1) : url;
}

/** The endpoint key of the route that served this request, or `METHOD unmatched` for a 404. */
export function endpointKey(request: FastifyRequest): string {
  const url = request.routeOptions.url;
  return `${request.method} ${url === undefined ? 'unmatched' : normaliseTemplate(url)}`;
}
