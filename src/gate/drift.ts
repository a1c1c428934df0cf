// Common-drift adjustment: separating "this endpoint got slower" from "the machine got slower".
//
// On a shared or noisy machine, every endpoint of a run speeds up and slows down together from one
// 10 s period to the next and from one run to the next (CPU contention, frequency scaling, noisy
// neighbours). That common factor can be measured in the run itself: in each period, how far the
// OTHER endpoints are from their own baseline level. Removing it leaves what is particular to the
// endpoint:
//   drift(e, t)    = median over endpoints e' != e with data in period t of (log v(e', t) - ref(e'))
//   adjusted(e, t) = log v(e, t) - drift(e, t)
// where v is the period figure (p50 by default) and ref(e') the endpoint's level in the baseline
// (median over baseline runs of the median log period figure). Periods with fewer than
// `minReferenceEndpoints` other endpoints are dropped. A change shared by all endpoints is invisible
// here by construction; the unadjusted comparison still sees it (evaluate.ts combines both).
import { periodTable } from './baseline.ts';
import type { BaselineRun } from './baseline.ts';
import { medianInPlace } from '../stats/bootstrap.ts';
import type { ComparisonStatistic } from './slo.ts';

export type SeriesByEndpoint = Map<string, number[]>;

function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Per-endpoint log period figures of one run (qualifying periods only; NaN elsewhere), as one
 * periods x endpoints table of numbers: `order` lists the table's rows oldest first.
 */
function logFigures(run: BaselineRun, statistic: ComparisonStatistic, minResponses: number): { endpoints: string[]; order: number[]; values: Float64Array } {
  // One endpoint's columns at a time (periodTable: no objects per period): once for the rows, once for the values.
  const endpoints = Object.keys(run.endpoints);
  const rowOf = new Map<number, number>();
  for (const key of endpoints) for (const start of periodTable(run, key)?.start ?? []) if (!rowOf.has(start)) rowOf.set(start, rowOf.size);
  const values = new Float64Array(rowOf.size * endpoints.length).fill(Number.NaN);
  for (const [e, key] of endpoints.entries()) {
    const table = periodTable(run, key);
    if (table === null) continue;
    const column = table[statistic];
    for (let i = 0; i < column.length; i++) {
      const value = column[i];
      const row = rowOf.get(table.start[i]);
      if (row === undefined || table.responses[i] < minResponses || !(value > 0)) continue;
      values[row * endpoints.length + e] = Math.log(value);
    }
  }
  const order = [...rowOf.entries()].sort((x, y) => x[0] - y[0]).map(([, row]) => row);
  return { endpoints, order, values };
}

/** ref(e): the baseline level of each endpoint, as a log. */
export function referenceLevels(baseline: readonly BaselineRun[], statistic: ComparisonStatistic, minResponses: number): Map<string, number> {
  const perRun = new Map<string, number[]>();
  for (const run of baseline) {
    for (const endpoint of Object.keys(run.endpoints)) {
      const table = periodTable(run, endpoint);
      if (table === null) continue;
      const logs: number[] = [];
      const column = table[statistic];
      for (let i = 0; i < column.length; i++) if (table.responses[i] >= minResponses && column[i] > 0) logs.push(Math.log(column[i]));
      if (logs.length === 0) continue;
      const list = perRun.get(endpoint) ?? [];
      list.push(medianOf(logs));
      perRun.set(endpoint, list);
    }
  }
  const reference = new Map<string, number>();
  for (const [endpoint, levels] of perRun) reference.set(endpoint, medianOf(levels));
  return reference;
}

/** The run's drift-adjusted period figures per endpoint (as positive numbers: exp of the adjusted log). */
export function adjustedSeries(run: BaselineRun, reference: Map<string, number>, statistic: ComparisonStatistic, minResponses: number, minReferenceEndpoints: number): SeriesByEndpoint {
  const out: SeriesByEndpoint = new Map();
  const { endpoints, order, values } = logFigures(run, statistic, minResponses);
  const width = endpoints.length;
  const refs = endpoints.map((key) => reference.get(key));
  const scratch = new Float64Array(width);
  for (const row of order) {
    const base = row * width;
    for (let e = 0; e < width; e++) {
      const value = values[base + e];
      if (Number.isNaN(value)) continue;
      let n = 0;
      for (let other = 0; other < width; other++) {
        const ref = refs[other];
        const otherValue = values[base + other];
        if (other === e || ref === undefined || Number.isNaN(otherValue)) continue;
        scratch[n++] = otherValue - ref;
      }
      if (n < minReferenceEndpoints) continue;
      const list = out.get(endpoints[e]) ?? [];
      list.push(Math.exp(value - medianInPlace(scratch, n)));
      out.set(endpoints[e], list);
    }
  }
  return out;
}
