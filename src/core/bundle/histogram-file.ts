// histograms.json on disk: written once by the measurement plugin, read period by period.
//
// Format 'rampart.histograms/2' is JSON Lines, period-major, so a reader holds one period at a time
// however long the run (an endurance run of 24 h is 8 640 periods):
//
//   line 1     header   {"schema":"rampart.histograms/2","unit":"us","periodMs":10000,"periods":N,
//                        "endpoints":[keys...],"metrics":[names...]}
//   lines 2..  period   {"start":T,"overall":S|null,"endpoints":{key:S},"metrics":{name:S}}
//                       one per period with data, oldest first; a series without data in the
//                       period is absent from it
//   last line  end      {"end":true,"periods":N,"totals":{"overall":H,"endpoints":{key:H},"metrics":{name:H}}}
//
// S is one series in one period: {histogram, stats?, errors, codes, errorKinds?} (PeriodHistogram
// without its start; `stats` are the histogram's latency statistics, absent when it is empty), H an
// encoded histogram of the series over the whole run. With `stats` and the totals a reader decodes
// one histogram per series, not one per period. A file without its end line was cut short.
//
// The older 'rampart.histograms/1' (one endpoint-major JSON document, HistogramFile in ./types.ts)
// is still read: readHistogramSource gives it as records too (documentRecords).
import { closeSync, fsyncSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { encodeHistogram, encodePeriod, latencyStats, newHistogram } from '../histogram.ts';
import { decodeStored } from './histogram-decode.ts';
import type { HistogramFile, PeriodHistogram } from './types.ts';

export const HISTOGRAMS_SCHEMA = 'rampart.histograms/2';
export const LEGACY_HISTOGRAMS_SCHEMA = 'rampart.histograms/1';

/** One series (an endpoint, a custom metric, or all endpoints together) in one period. */
export type SeriesPeriod = Omit<PeriodHistogram, 'start'>;

export interface HistogramHeader {
  schema: typeof HISTOGRAMS_SCHEMA;
  unit: 'us';
  periodMs: number;
  /** how many period lines follow (readers size their buffers by it; the end line repeats it) */
  periods: number;
  endpoints: string[]; // sorted
  metrics: string[]; // sorted
}

export interface PeriodRecord {
  start: number; // ms since epoch, a multiple of periodMs
  overall: SeriesPeriod | null; // all endpoints merged; null when no endpoint had data
  endpoints: Record<string, SeriesPeriod>;
  metrics: Record<string, SeriesPeriod>;
}

export interface RunTotals {
  overall: string;
  endpoints: Record<string, string>;
  metrics: Record<string, string>;
}

export interface EndRecord {
  end: true;
  periods: number;
  totals: RunTotals;
}

const byStart = (a: { start: number }, b: { start: number }): number => a.start - b.start;

function mergeInto(target: Record<string, number>, source: Record<string, number> | undefined): void {
  if (source === undefined) return;
  for (const [key, n] of Object.entries(source)) target[key] = (target[key] ?? 0) + n;
}

/** A field of a /1 document, for messages: /endpoints/'GET /a'/3/histogram. */
const fieldOf = (section: string, key: string, index: number): string => `/${section}/${/[/\s]/.test(key) ? `'${key}'` : key}/${index}/histogram`;

/**
 * The derived parts of a histogram document: per-period `stats`, `overall` (all endpoints merged per
 * period) and `totals` (each series merged over the run); parts already present are kept. Decodes
 * only what is missing. Pure. `source` names the document in errors (a stored histogram that does
 * not decode is a usage error naming the file and the field).
 */
export function withDerivedParts(file: HistogramFile, source = '(in memory)'): HistogramFile {
  const needStats = (p: PeriodHistogram): boolean => p.stats === undefined && Object.values(p.codes).some((n) => n > 0);
  const section = (name: string, series: Record<string, PeriodHistogram[]>, totals: Record<string, string> | undefined): { periods: Record<string, PeriodHistogram[]>; totals: Record<string, string> } => {
    const periods: Record<string, PeriodHistogram[]> = {};
    const merged: Record<string, string> = {};
    for (const key of Object.keys(series).sort()) {
      const stored = totals?.[key];
      const total = stored === undefined ? newHistogram() : null;
      periods[key] = [...series[key]].sort(byStart).map((p, index) => {
        if (total === null && !needStats(p) && p.stats !== undefined) return p;
        const histogram = decodeStored(p.histogram, `${source}: ${fieldOf(name, key, index)}`);
        total?.add(histogram);
        const stats = p.stats ?? latencyStats(histogram);
        return stats === null ? p : { ...p, stats };
      });
      merged[key] = stored ?? encodeHistogram(total ?? newHistogram());
    }
    return { periods, totals: merged };
  };
  const endpoints = section('endpoints', file.endpoints, file.totals?.endpoints);
  const metrics = section('metrics', file.metrics, file.totals?.metrics);
  let overall = file.overall;
  let overallTotal = file.totals?.overall;
  if (overall === undefined || overallTotal === undefined) {
    const slots = new Map<number, { histogram: ReturnType<typeof newHistogram>; errors: number; codes: Record<string, number>; errorKinds: Record<string, number> }>();
    const total = newHistogram();
    for (const [key, list] of Object.entries(file.endpoints)) {
      for (const [index, p] of list.entries()) {
        let slot = slots.get(p.start);
        if (slot === undefined) slots.set(p.start, (slot = { histogram: newHistogram(), errors: 0, codes: {}, errorKinds: {} }));
        const histogram = decodeStored(p.histogram, `${source}: ${fieldOf('endpoints', key, index)}`);
        slot.histogram.add(histogram);
        total.add(histogram);
        slot.errors += p.errors;
        mergeInto(slot.codes, p.codes);
        mergeInto(slot.errorKinds, p.errorKinds);
      }
    }
    overall ??= [...slots.entries()].sort(([a], [b]) => a - b).map(([start, slot]) => encodePeriod({ start, ...slot }));
    overallTotal ??= encodeHistogram(total);
  }
  return {
    schema: file.schema, unit: file.unit, periodMs: file.periodMs, endpoints: endpoints.periods, metrics: metrics.periods,
    overall: [...overall].sort(byStart), totals: { overall: overallTotal, endpoints: endpoints.totals, metrics: metrics.totals },
  };
}

/** A stored period as one series of a period record (its start moves to the record). */
export const toSeriesPeriod = (p: PeriodHistogram): SeriesPeriod => ({
  histogram: p.histogram,
  ...(p.stats === undefined ? {} : { stats: p.stats }),
  errors: p.errors,
  codes: p.codes,
  ...(p.errorKinds === undefined ? {} : { errorKinds: p.errorKinds }),
});

/** How many distinct periods a histogram document holds. */
export function documentPeriods(document: HistogramFile): number {
  const starts = new Set<number>();
  for (const section of [document.endpoints, document.metrics]) for (const list of Object.values(section)) for (const p of list) starts.add(p.start);
  for (const p of document.overall ?? []) starts.add(p.start);
  return starts.size;
}

/** A histogram document as the period-major records of format /2 (derived parts added first). */
export function documentRecords(document: HistogramFile, source = '(in memory)'): { header: HistogramHeader; periods: PeriodRecord[]; end: EndRecord } {
  const file = withDerivedParts(document, source);
  const slots = new Map<number, PeriodRecord>();
  const slot = (start: number): PeriodRecord => {
    let found = slots.get(start);
    if (found === undefined) slots.set(start, (found = { start, overall: null, endpoints: {}, metrics: {} }));
    return found;
  };
  for (const [key, list] of Object.entries(file.endpoints)) for (const p of list) slot(p.start).endpoints[key] = toSeriesPeriod(p);
  for (const [name, list] of Object.entries(file.metrics)) for (const p of list) slot(p.start).metrics[name] = toSeriesPeriod(p);
  for (const p of file.overall ?? []) slot(p.start).overall = toSeriesPeriod(p);
  const periods = [...slots.values()].sort(byStart);
  const header: HistogramHeader = { schema: HISTOGRAMS_SCHEMA, unit: 'us', periodMs: file.periodMs, periods: periods.length, endpoints: Object.keys(file.endpoints).sort(), metrics: Object.keys(file.metrics).sort() };
  return { header, periods, end: { end: true, periods: periods.length, totals: file.totals ?? { overall: encodeHistogram(newHistogram()), endpoints: {}, metrics: {} } } };
}

/** Writes a /2 file record by record, through a temp file renamed into place by `finish`. */
export interface HistogramFileWriter {
  period(record: PeriodRecord): void;
  /** Writes the end line, flushes and renames the file into place. */
  finish(totals: RunTotals): void;
  /** Removes the temp file (after an error). */
  abort(): void;
}

const FLUSH_BYTES = 1 << 20;
const READ_BYTES = 1 << 20;

export function createHistogramFileWriter(path: string, header: HistogramHeader): HistogramFileWriter {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx');
  let buffered: string[] = [];
  let size = 0;
  let periods = 0;
  let closed = false;
  const flush = (): void => {
    if (buffered.length === 0) return;
    writeSync(fd, buffered.join(''));
    buffered = [];
    size = 0;
  };
  const line = (value: unknown): void => {
    const text = `${JSON.stringify(value)}\n`;
    buffered.push(text);
    size += text.length;
    if (size >= FLUSH_BYTES) flush();
  };
  line(header);
  return {
    period(record) {
      periods++;
      line(record);
    },
    finish(totals) {
      if (periods !== header.periods) throw new RangeError(`the header announced ${header.periods} periods, ${periods} were written`);
      line({ end: true, periods, totals } satisfies EndRecord);
      flush();
      fsyncSync(fd);
      closeSync(fd);
      closed = true;
      renameSync(temp, path);
    },
    abort() {
      if (!closed) closeSync(fd);
      closed = true;
      try {
        unlinkSync(temp);
      } catch {
        // already gone
      }
    },
  };
}

/** Writes a histogram document (the plugin's merged measurements) as a /2 file, atomically. */
export function writeHistogramFile(path: string, document: HistogramFile): void {
  const { header, periods, end } = documentRecords(document);
  const writer = createHistogramFileWriter(path, header);
  try {
    for (const record of periods) writer.period(record);
    writer.finish(end.totals);
  } catch (error) {
    writer.abort();
    throw error;
  }
}

/**
 * The lines of a file, read in chunks (synchronously). Lines are cut from the bytes before they are
 * decoded, so no string is ever larger than one line: a 24-hour histograms.json (over 200 MB) passes
 * through as short-lived strings the young generation collects, never as megabyte chunks that wait
 * for a full collection. `visit` gets each non-empty line with its 1-based number; returning false stops.
 */
export function forEachLine(path: string, visit: (line: string, lineNumber: number) => boolean | undefined): void {
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(READ_BYTES);
    let pending: Buffer[] = []; // the start of a line that continues in the next chunk
    let lineNumber = 0;
    const emit = (text: string): boolean => {
      lineNumber++;
      return text.trim() === '' || visit(text, lineNumber) !== false;
    };
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      let from = 0;
      for (let newline = chunk.indexOf(10, from); newline >= 0 && newline < read; newline = chunk.indexOf(10, from)) {
        const text = pending.length === 0 ? chunk.toString('utf8', from, newline) : Buffer.concat([...pending, chunk.subarray(from, newline)]).toString('utf8');
        pending = [];
        from = newline + 1;
        if (!emit(text)) return;
      }
      if (from < read) pending.push(Buffer.from(chunk.subarray(from, read)));
    }
    if (pending.length > 0) emit(Buffer.concat(pending).toString('utf8'));
  } finally {
    closeSync(fd);
  }
}
