// Builders of synthetic bundles for the results tests, with real hdr-histogram-js data.
import assert from 'node:assert/strict';
import { PERIOD_MS } from '../../src/core/bundle/types.ts';
import type { ArtilleryOutput, ArtilleryPeriod, HistogramFile, LoadedBundle, PeriodHistogram } from '../../src/core/bundle/types.ts';
import { encodeHistogram, newHistogram, recordMicros } from '../../src/core/histogram.ts';

export const T0 = 1_800_000_000_000; // a multiple of PERIOD_MS

export function period(start: number, micros: number[], codes: Record<string, number>, errors = 0, errorKinds?: Record<string, number>): PeriodHistogram {
  const histogram = newHistogram();
  for (const value of micros) recordMicros(histogram, value);
  return { start, histogram: encodeHistogram(histogram), errors, codes, ...(errorKinds ? { errorKinds } : {}) };
}

export function artilleryPeriod(partial: Partial<ArtilleryPeriod>): ArtilleryPeriod {
  return { counters: {}, rates: {}, summaries: {}, ...partial };
}

export function emptyArtillery(firstMetricAt = T0, lastMetricAt = T0 + 2 * PERIOD_MS): ArtilleryOutput {
  return { aggregate: artilleryPeriod({ firstMetricAt, lastMetricAt }), intermediate: [] };
}

export function bundleWith(histograms: HistogramFile | null, artillery: ArtilleryOutput = emptyArtillery()): LoadedBundle {
  return { dir: '/nowhere', manifest: null, artillery, histograms, generator: null };
}

export function histogramFile(endpoints: HistogramFile['endpoints'], metrics: HistogramFile['metrics'] = {}): HistogramFile {
  return { schema: 'rampart.histograms/1', unit: 'us', periodMs: PERIOD_MS, endpoints, metrics };
}

/** The value, asserted present: the test fails here, naming it, rather than later on a TypeError. */
export function must<T>(value: T | null | undefined, what = 'the value'): T {
  assert.ok(value !== null && value !== undefined, `${what} is missing`);
  return value;
}

/** A loaded bundle's histograms as the whole document the fixtures build (not a file opened for streaming). */
export function histogramDocument(bundle: LoadedBundle): HistogramFile {
  const histograms = must(bundle.histograms, 'the histograms');
  assert.ok(!('header' in histograms), 'a document, not a file handle');
  return histograms;
}
