// Coverage, the pure part: the platform's operations (from its OpenAPI document) against the
// endpoint keys of the scenarios' requests (the `name:` of every request, loops and parallel blocks
// included). A request marked `unknownRoute: true` deliberately hits a route that does not exist (an
// edge case) and is not an unknown key.
import { usageError } from '../core/errors.ts';
import { isRecord } from '../compose/yaml.ts';
import type { FlowFile } from '../compose/types.ts';

const METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;

export interface CoverageResult {
  operations: string[];
  covered: string[];
  uncovered: string[];
  /** endpoint keys used by scenarios that match no operation, with where they are used */
  unknown: { key: string; where: string[] }[];
}

/** OpenAPI route -> endpoint-key template: `{id}` -> `:id`, no trailing slash (as the platform's metrics label it). */
export function normaliseRoute(route: string): string {
  const template = route.replace(/\{([^}]+)\}/g, ':$1');
  return template.length > 1 && template.endsWith('/') ? template.slice(0, -1) : template;
}

/** Operation keys ("GET /api/v1/alerts/:id") of an OpenAPI 3 document (pure). */
export function operationsFromOpenApi(doc: unknown): string[] {
  if (!isRecord(doc) || !isRecord(doc.paths)) throw usageError('the OpenAPI document has no paths');
  const keys: string[] = [];
  for (const [route, item] of Object.entries(doc.paths)) {
    if (!isRecord(item)) continue;
    for (const method of METHODS) {
      if (item[method] !== undefined) keys.push(`${method.toUpperCase()} ${normaliseRoute(route)}`);
    }
  }
  return [...new Set(keys)].sort();
}

export interface ScenarioRequest {
  key: string;
  where: string;
  unknownRoute: boolean;
}

/** Every request of a flow file, including those inside loops and parallel blocks (pure). */
export function requestsOfFlow(flow: FlowFile): ScenarioRequest[] {
  const out: ScenarioRequest[] = [];
  const visit = (steps: unknown[], scenario: string): void => {
    for (const step of steps) {
      if (!isRecord(step)) continue;
      if (Array.isArray(step.loop)) visit(step.loop, scenario);
      if (Array.isArray(step.parallel)) visit(step.parallel, scenario);
      for (const method of METHODS) {
        const spec = step[method];
        if (!isRecord(spec)) continue;
        const name = typeof spec.name === 'string' ? spec.name.trim() : '';
        const key = name !== '' ? name : `${method.toUpperCase()} ${String(spec.url)} (no name:)`;
        out.push({ key, where: `${flow.name}/${scenario}`, unknownRoute: spec.unknownRoute === true });
      }
    }
  };
  for (const s of flow.scenarios) visit(s.flow, s.name);
  return out;
}

/** Compare operations with scenario requests (pure). */
export function compareCoverage(operations: string[], requests: ScenarioRequest[]): CoverageResult {
  const ops = new Set(operations);
  const used = new Set(requests.filter((r) => !r.unknownRoute).map((r) => r.key));
  const unknown = new Map<string, Set<string>>();
  for (const r of requests) {
    if (r.unknownRoute || ops.has(r.key)) continue;
    const where = unknown.get(r.key) ?? new Set<string>();
    where.add(r.where);
    unknown.set(r.key, where);
  }
  return {
    operations: [...ops].sort(),
    covered: [...ops].filter((o) => used.has(o)).sort(),
    uncovered: [...ops].filter((o) => !used.has(o)).sort(),
    unknown: [...unknown.entries()].map(([key, where]) => ({ key, where: [...where].sort() })).sort((a, b) => a.key.localeCompare(b.key)),
  };
}

export function formatCoverage(result: CoverageResult, flows: number): string {
  const pct = result.operations.length === 0 ? 0 : (100 * result.covered.length) / result.operations.length;
  const lines = [`coverage: ${result.covered.length}/${result.operations.length} operations (${pct.toFixed(1)}%) exercised by ${flows} flow files`];
  if (result.uncovered.length > 0) {
    lines.push(`uncovered operations (no scenario requests them):`);
    for (const o of result.uncovered) lines.push(`  ${o}`);
  }
  if (result.unknown.length > 0) {
    lines.push(`unknown endpoint keys (no such operation; fix the request's name: or mark it unknownRoute: true):`);
    for (const u of result.unknown) lines.push(`  ${u.key}    (${u.where.join(', ')})`);
  }
  return `${lines.join('\n')}\n`;
}
