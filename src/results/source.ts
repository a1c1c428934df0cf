// Where a bundle's figures come from, chosen once per bundle (resultsSource), behind one interface:
//
//   histograms   the measurement plugin's histograms.json: exact µs HDR histograms, read period by
//                period (./histogram-source.ts)
//   artillery    a plain `artillery run --output` file: Artillery's metrics-by-endpoint summaries
//                (whole ms, sketch percentiles) and its counters (./artillery-source.ts)
//
// A source streams its periods once, oldest first, and then gives the run's totals; callers never
// ask which source they hold (its `kind` is only reported, so a reader can tell exact figures from
// approximate ones).
import type { Histogram, LatencyStats } from '../core/histogram.ts';
import type { LoadedBundle } from '../core/bundle/types.ts';
import { artillerySource } from './artillery-source.ts';
import { histogramSource } from './histogram-source.ts';

export type FigureSource = 'histograms' | 'artillery';

/** One series (an endpoint, or all endpoints together) in one period or over the run. */
export interface SeriesFigures {
  responses: number;
  transport: number; // requests that got no response
  codes: Record<string, number>; // HTTP status -> responses
  errorKinds: Record<string, number>; // transport error code -> count
  latency: LatencyStats | null; // ms
}

export interface PeriodSlice {
  start: number; // ms since epoch, multiple of PERIOD_MS
  /** all endpoints together; null when no endpoint had data (the period is then off the time axis) */
  run: SeriesFigures | null;
  endpoints: Map<string, SeriesFigures>;
  metrics: Map<string, LatencyStats>; // custom metrics with values in the period, ms
}

export interface SeriesTotal extends SeriesFigures {
  /** the exact distribution over the run (for Apdex); null from Artillery's summaries */
  histogram: Histogram | null;
}

export interface SourceTotals {
  run: SeriesTotal;
  endpoints: Map<string, SeriesTotal>;
  metrics: Map<string, LatencyStats | null>;
}

export interface ResultsSource {
  readonly kind: FigureSource;
  /** how many periods the source holds (at most; readers size their buffers by it) */
  readonly periods: number;
  readonly endpoints: readonly string[]; // sorted
  readonly metrics: readonly string[]; // sorted
  /** Visits every period once, oldest first, then returns the run's totals. */
  scan(visit: (period: PeriodSlice) => void): SourceTotals;
}

/** The bundle's source of figures: its exact histograms when it has them, else Artillery's summaries. */
export function resultsSource(bundle: LoadedBundle): ResultsSource {
  return bundle.histograms === null ? artillerySource(bundle.artillery) : histogramSource(bundle.histograms);
}
