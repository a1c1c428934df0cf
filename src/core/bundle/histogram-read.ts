// Reading histograms.json period by period (the format: ./histogram-file.ts), each line validated
// against its JSON Schema (./read.ts validate): a bad line is a one-line error naming the file, the
// line and the field.
//
//   openHistogramFile(path)          the header (format /2), or the whole document (older format /1,
//                                    small by nature: written before streaming existed)
//   scanHistogramFile(file, visit)   every period record, oldest first, then the end record
//   readHistogramDocument(path)      the whole file as one HistogramFile (either format): for tests
//                                    and tools that want the endpoint-major shape; not for long runs
import type { SchemaObject } from 'ajv';
import { usageError } from '../errors.ts';
import { forEachLine, documentPeriods, documentRecords, HISTOGRAMS_SCHEMA, LEGACY_HISTOGRAMS_SCHEMA } from './histogram-file.ts';
import type { EndRecord, HistogramHeader, PeriodRecord } from './histogram-file.ts';
import { readJsonFile, validate } from './read.ts';
import { mapOf, NOT_PROTO } from './schemas.ts';
import type { BundleSchema } from './schemas.ts';
import type { HistogramFile, PeriodHistogram } from './types.ts';

const ADVICE = 'the file is corrupt or was cut short; run again';
const count = { type: 'integer', minimum: 0 } as const;
const counts = mapOf(count);
const time = { type: 'number', minimum: 0 } as const;
const encoded = { type: 'string', minLength: 1 } as const;
const names = { type: 'array', items: { type: 'string', ...NOT_PROTO } } as const;
const STAT_NAMES = ['count', 'min', 'mean', 'p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'max'] as const;
const stats: SchemaObject = {
  type: 'object',
  required: STAT_NAMES,
  properties: Object.fromEntries(STAT_NAMES.map((name) => [name, { type: 'number' }])),
};
const seriesProperties = { histogram: encoded, stats, errors: count, codes: counts, errorKinds: counts };
const seriesPeriod: SchemaObject = { type: 'object', required: ['histogram', 'errors', 'codes'], properties: seriesProperties };
const seriesMap = mapOf(seriesPeriod);
const encodedMap = mapOf(encoded);

const HEADER: BundleSchema<HistogramHeader> = {
  what: "the measurement plugin's histograms (histograms.json)",
  advice: ADVICE,
  schema: {
    type: 'object',
    required: ['schema', 'unit', 'periodMs', 'periods', 'endpoints', 'metrics'],
    properties: { schema: { const: HISTOGRAMS_SCHEMA }, unit: { const: 'us' }, periodMs: { type: 'integer', minimum: 1 }, periods: count, endpoints: names, metrics: names },
  },
};

const LINE: BundleSchema<PeriodRecord | EndRecord> = {
  what: 'a period of histograms.json',
  advice: ADVICE,
  schema: {
    oneOf: [
      {
        type: 'object',
        required: ['start', 'overall', 'endpoints', 'metrics'],
        properties: { start: time, overall: { oneOf: [{ type: 'null' }, seriesPeriod] }, endpoints: seriesMap, metrics: seriesMap },
      },
      {
        type: 'object',
        required: ['end', 'periods', 'totals'],
        properties: {
          end: { const: true },
          periods: count,
          totals: { type: 'object', required: ['overall', 'endpoints', 'metrics'], properties: { overall: encoded, endpoints: encodedMap, metrics: encodedMap } },
        },
      },
    ],
  },
};

const periodList = { type: 'array', items: { ...seriesPeriod, required: ['start', 'histogram', 'errors', 'codes'], properties: { ...seriesProperties, start: time } } } as const;

const LEGACY: BundleSchema<HistogramFile> = {
  what: "the measurement plugin's histograms (histograms.json)",
  advice: ADVICE,
  schema: {
    type: 'object',
    required: ['schema', 'unit', 'periodMs', 'endpoints', 'metrics'],
    properties: {
      schema: { const: LEGACY_HISTOGRAMS_SCHEMA },
      unit: { const: 'us' },
      periodMs: { type: 'integer', minimum: 1 },
      endpoints: mapOf(periodList),
      metrics: mapOf(periodList),
      overall: periodList,
      totals: { type: 'object', required: ['overall', 'endpoints', 'metrics'], properties: { overall: encoded, endpoints: encodedMap, metrics: encodedMap } },
    },
  },
};

/** An opened histogram file: format /2 is streamed from `path`; format /1 is held whole. */
export type HistogramFileHandle =
  | { path: string; header: HistogramHeader; document: null }
  | { path: string; header: HistogramHeader; document: HistogramFile };

function firstLine(path: string): string {
  let first = '';
  forEachLine(path, (line) => {
    first = line;
    return false;
  });
  return first;
}

/** Opens histograms.json: reads only the header of a /2 file. One-line usage errors (exit 2). */
export async function openHistogramFile(path: string): Promise<HistogramFileHandle> {
  let head: string;
  try {
    head = firstLine(path);
  } catch (error) {
    throw usageError(`${path}: cannot read the measurement plugin's histograms (${(error as NodeJS.ErrnoException).code ?? String(error)}); check the file`);
  }
  if (head.trim() === '') throw usageError(`${path}: file is empty, expected the measurement plugin's histograms; ${ADVICE}`);
  let value: unknown = null;
  try {
    value = JSON.parse(head);
  } catch {
    // not one JSON line: the older single-document format (pretty-printed), or not JSON at all
  }
  if (value === null) value = await readJsonFile(path, LEGACY.what, { corrupt: ADVICE });
  const declared = (value as { schema?: unknown } | null)?.schema;
  if (declared === HISTOGRAMS_SCHEMA) return { path, header: validate(HEADER, value, path), document: null };
  if (declared !== LEGACY_HISTOGRAMS_SCHEMA) {
    throw usageError(`${path}: expected schema '${HISTOGRAMS_SCHEMA}', found ${typeof declared === 'string' ? `'${declared}'` : 'none'}; ${ADVICE}`);
  }
  const document = validate(LEGACY, value, path);
  const header: HistogramHeader = { schema: HISTOGRAMS_SCHEMA, unit: 'us', periodMs: document.periodMs, periods: documentPeriods(document), endpoints: Object.keys(document.endpoints).sort(), metrics: Object.keys(document.metrics).sort() };
  return { path, header, document };
}

const isEnd = (record: PeriodRecord | EndRecord): record is EndRecord => (record as Partial<EndRecord>).end === true;

/** Every period record, oldest first (each validated), then the end record. Synchronous, one line at a time. */
export function scanHistogramFile(file: HistogramFileHandle, visit: (record: PeriodRecord) => void): EndRecord {
  if (file.document !== null) {
    const { periods, end } = documentRecords(file.document, file.path);
    for (const record of periods) visit(record);
    return end;
  }
  const found: { end: EndRecord | null } = { end: null };
  let last = -Infinity;
  forEachLine(file.path, (line, lineNumber) => {
    if (lineNumber === 1) return true;
    const where = `${file.path}:${lineNumber}`;
    if (found.end !== null) throw usageError(`${where}: a line after the end record; ${ADVICE}`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw usageError(`${where}: not valid JSON; ${ADVICE}`);
    }
    const record = validate(LINE, value, where);
    if (isEnd(record)) {
      found.end = record;
      return true;
    }
    if (record.start <= last) throw usageError(`${where}: /start ${record.start} is not after the previous period's; ${ADVICE}`);
    last = record.start;
    visit(record);
    return true;
  });
  if (found.end === null) throw usageError(`${file.path}: no end record, the file was cut short; ${ADVICE}`);
  if (found.end.periods !== file.header.periods) throw usageError(`${file.path}: the header announces ${file.header.periods} periods, the end record ${found.end.periods}; ${ADVICE}`);
  return found.end;
}

/** The whole file as one endpoint-major document (either format). Holds every period: small runs only. */
export async function readHistogramDocument(path: string): Promise<HistogramFile> {
  const file = await openHistogramFile(path);
  if (file.document !== null) return file.document;
  const endpoints: Record<string, PeriodHistogram[]> = Object.fromEntries(file.header.endpoints.map((k) => [k, []]));
  const metrics: Record<string, PeriodHistogram[]> = Object.fromEntries(file.header.metrics.map((k) => [k, []]));
  const overall: PeriodHistogram[] = [];
  const end = scanHistogramFile(file, (record) => {
    for (const [key, p] of Object.entries(record.endpoints)) (endpoints[key] ??= []).push({ start: record.start, ...p });
    for (const [name, p] of Object.entries(record.metrics)) (metrics[name] ??= []).push({ start: record.start, ...p });
    if (record.overall !== null) overall.push({ start: record.start, ...record.overall });
  });
  return { schema: LEGACY_HISTOGRAMS_SCHEMA, unit: 'us', periodMs: file.header.periodMs, endpoints, metrics, overall, totals: end.totals };
}
