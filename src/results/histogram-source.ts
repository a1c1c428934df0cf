// The exact-histogram source: histograms.json read period by period (src/core/bundle/histogram-read.ts).
// Each period's figures come from the stored per-period stats, the run's from the stored totals, so
// a whole run costs one decode per series, never one per period. An in-memory document (the
// plugin's merged measurements, a test's fixture) is read through the same records.
import { latencyStats as latencyOf, newHistogram } from '../core/histogram.ts';
import { decodeStored } from '../core/bundle/histogram-decode.ts';
import type { HistogramFile } from '../core/bundle/types.ts';
import { documentPeriods, HISTOGRAMS_SCHEMA } from '../core/bundle/histogram-file.ts';
import type { SeriesPeriod } from '../core/bundle/histogram-file.ts';
import { scanHistogramFile } from '../core/bundle/histogram-read.ts';
import type { HistogramFileHandle } from '../core/bundle/histogram-read.ts';
import type { PeriodSlice, ResultsSource, SeriesFigures, SeriesTotal } from './source.ts';

/** The histograms of a loaded bundle: a file opened for streaming, or a whole document. */
export type HistogramData = HistogramFile | HistogramFileHandle;

const isHandle = (data: HistogramData): data is HistogramFileHandle => 'header' in data;

function handleOf(data: HistogramData): HistogramFileHandle {
  if (isHandle(data)) return data;
  const header = { schema: HISTOGRAMS_SCHEMA, unit: 'us', periodMs: data.periodMs, periods: documentPeriods(data), endpoints: Object.keys(data.endpoints).sort(), metrics: Object.keys(data.metrics).sort() } as const;
  return { path: '(in memory)', header, document: data };
}

const figures = (p: SeriesPeriod): SeriesFigures => ({
  responses: p.stats?.count ?? 0,
  transport: p.errors,
  codes: p.codes,
  errorKinds: p.errorKinds ?? {},
  latency: p.stats ?? null,
});

function addInto(target: Record<string, number>, source: Record<string, number>): void {
  for (const [key, n] of Object.entries(source)) target[key] = (target[key] ?? 0) + n;
}

interface Running { transport: number; codes: Record<string, number>; errorKinds: Record<string, number> }

const running = (): Running => ({ transport: 0, codes: {}, errorKinds: {} });

function accumulate(into: Running, figures: SeriesFigures): void {
  into.transport += figures.transport;
  addInto(into.codes, figures.codes);
  addInto(into.errorKinds, figures.errorKinds);
}

/** Where a run total sits in the file, for messages: "<file>: end record /totals/endpoints/'GET /a'". */
const totalAt = (file: HistogramFileHandle, field: string, key?: string): string =>
  `${file.path}: ${file.document === null ? 'end record ' : ''}/totals/${field}${key === undefined ? '' : `/${/[/\s]/.test(key) ? `'${key}'` : key}`}`;

function total(sum: Running, encoded: string | undefined, where: string): SeriesTotal {
  const histogram = encoded === undefined ? newHistogram() : decodeStored(encoded, where);
  return { ...sum, responses: histogram.totalCount, latency: latencyOf(histogram), histogram };
}


export function histogramSource(data: HistogramData): ResultsSource {
  const file = handleOf(data);
  return {
    kind: 'histograms',
    periods: file.header.periods,
    endpoints: file.header.endpoints,
    metrics: file.header.metrics,
    scan(visit) {
      const run = running();
      const endpoints = new Map<string, Running>(file.header.endpoints.map((key) => [key, running()]));
      const end = scanHistogramFile(file, (record) => {
        const slice: PeriodSlice = { start: record.start, run: record.overall === null ? null : figures(record.overall), endpoints: new Map(), metrics: new Map() };
        if (slice.run !== null) accumulate(run, slice.run);
        for (const [key, period] of Object.entries(record.endpoints)) {
          const series = figures(period);
          slice.endpoints.set(key, series);
          let sum = endpoints.get(key);
          if (sum === undefined) endpoints.set(key, (sum = running()));
          accumulate(sum, series);
        }
        for (const [name, period] of Object.entries(record.metrics)) if (period.stats !== undefined) slice.metrics.set(name, period.stats);
        visit(slice);
      });
      return {
        run: total(run, end.totals.overall, totalAt(file, 'overall')),
        endpoints: new Map([...endpoints].map(([key, sum]) => [key, total(sum, end.totals.endpoints[key], totalAt(file, 'endpoints', key))])),
        metrics: new Map(file.header.metrics.map((name) => {
          return [name, Object.hasOwn(end.totals.metrics, name) ? latencyOf(decodeStored(end.totals.metrics[name], totalAt(file, 'metrics', name))) : null];
        })),
      };
    },
  };
}
