// compare.json (schema rampart.compare/1): B against A, per endpoint, with both sides' resources and
// top statements; validated against its JSON Schema before it is written. Types and schema only.
import type { BundleSchema } from '../core/bundle/schemas.ts';
import type { Verdict } from '../core/bundle/types.ts';

export const COMPARE_SCHEMA_ID = 'rampart.compare/1';

export interface RatioInterval { ratio: number; lower: number; upper: number; verdict: Verdict }
export interface SideSummary { requests: number; p50: number | null; p95: number | null; p99: number | null; errorRate: number }

export interface CompareEndpoint {
  endpoint: string;
  /** the gate's verdict of B against A (compareWithBaseline) */
  verdict: Verdict;
  ratio: number | null; // B / A of the settings' statistic
  detail: string;
  p50: RatioInterval | null;
  p95: RatioInterval | null;
  a: SideSummary | null;
  b: SideSummary | null;
}

export interface ResourceFigures {
  runs: number;
  samples: number;
  platformCpuPercent: number | null; // user + system, percent of one core, mean
  platformRssMaxBytes: number | null;
  eventLoopDelayP99MaxMs: number | null;
  databaseCpuPercent: number | null;
  hostCpuPercent: number | null;
  generatorCpuPercent: number | null;
  poolWaitingMean: number | null;
  poolWaitingMax: number | null;
  poolInUseMean: number | null;
  databaseActiveMean: number | null;
  waitingOnLockMax: number | null;
  cacheHitRatioMean: number | null;
  queuesMax: Record<string, number>;
  missing: string[];
}

export interface StatementRow {
  queryId: string;
  query: string;
  a: { callsPerRun: number; totalExecMsPerRun: number; meanExecMs: number } | null;
  b: { callsPerRun: number; totalExecMsPerRun: number; meanExecMs: number } | null;
}

export interface SideRun { runId: string; bundle: string; startedAt: string | null; requests: number }

export interface CompareSide {
  label: string;
  /** the platform's environment for this side (alternate mode; secret-looking values redacted) */
  env: Record<string, string> | null;
  runs: SideRun[];
}

export interface CompareFile {
  schema: 'rampart.compare/1';
  mode: 'bundles' | 'alternate';
  profile: string | null;
  createdAt: string;
  /** alternate mode: the order the runs were made in, e.g. A B A B */
  order: ('A' | 'B')[];
  settings: { statistic: string; threshold: number; alpha: number; noiseFloor: number; absoluteNoiseFloor: number; sources: string[] };
  a: CompareSide;
  b: CompareSide;
  endpoints: CompareEndpoint[];
  resources: { a: ResourceFigures | null; b: ResourceFigures | null };
  statements: { rows: StatementRow[]; runs: { a: number; b: number } };
  /** endpoints whose verdict is SLOWER */
  slower: string[];
}

const num = { type: 'number' } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const verdict = { enum: ['SLOWER', 'FASTER', 'SAME', 'UNKNOWN'] } as const;
const strings = { type: 'array', items: { type: 'string' } } as const;
const interval = { oneOf: [{ type: 'null' }, { type: 'object', required: ['ratio', 'lower', 'upper', 'verdict'], properties: { ratio: num, lower: num, upper: num, verdict } }] } as const;
const side = { oneOf: [{ type: 'null' }, { type: 'object', required: ['requests', 'p50', 'p95', 'p99', 'errorRate'], properties: { requests: num, p50: nullableNumber, p95: nullableNumber, p99: nullableNumber, errorRate: num } }] } as const;
const perRun = { oneOf: [{ type: 'null' }, { type: 'object', required: ['callsPerRun', 'totalExecMsPerRun', 'meanExecMs'], properties: { callsPerRun: num, totalExecMsPerRun: num, meanExecMs: num } }] } as const;
const resources = { oneOf: [{ type: 'null' }, { type: 'object', required: ['runs', 'samples', 'platformCpuPercent', 'databaseCpuPercent', 'poolWaitingMean', 'queuesMax', 'missing'], properties: { runs: num, samples: num, platformCpuPercent: nullableNumber, databaseCpuPercent: nullableNumber, poolWaitingMean: nullableNumber, queuesMax: { type: 'object', additionalProperties: num }, missing: strings } }] } as const;
const compareSide = {
  type: 'object',
  required: ['label', 'env', 'runs'],
  properties: {
    label: { type: 'string' },
    env: { oneOf: [{ type: 'null' }, { type: 'object', additionalProperties: { type: 'string' } }] },
    runs: { type: 'array', items: { type: 'object', required: ['runId', 'bundle', 'startedAt', 'requests'], properties: { runId: { type: 'string' }, bundle: { type: 'string' }, startedAt: { type: ['string', 'null'] }, requests: num } } },
  },
} as const;

export const COMPARE_FILE_SCHEMA: BundleSchema<CompareFile> = {
  what: 'a comparison (compare.json)',
  advice: 'the file is corrupt or from another tool; run rampart compare again',
  schema: {
    type: 'object',
    required: ['schema', 'mode', 'profile', 'createdAt', 'order', 'settings', 'a', 'b', 'endpoints', 'resources', 'statements', 'slower'],
    properties: {
      schema: { const: COMPARE_SCHEMA_ID },
      mode: { enum: ['bundles', 'alternate'] },
      profile: { type: ['string', 'null'] },
      createdAt: { type: 'string' },
      order: { type: 'array', items: { enum: ['A', 'B'] } },
      settings: { type: 'object', required: ['statistic', 'threshold', 'alpha', 'noiseFloor', 'absoluteNoiseFloor', 'sources'], properties: { statistic: { type: 'string' }, threshold: num, alpha: num, noiseFloor: num, absoluteNoiseFloor: num, sources: strings } },
      a: compareSide,
      b: compareSide,
      endpoints: {
        type: 'array',
        items: {
          type: 'object',
          required: ['endpoint', 'verdict', 'ratio', 'detail', 'p50', 'p95', 'a', 'b'],
          properties: { endpoint: { type: 'string' }, verdict, ratio: nullableNumber, detail: { type: 'string' }, p50: interval, p95: interval, a: side, b: side },
        },
      },
      resources: { type: 'object', required: ['a', 'b'], properties: { a: resources, b: resources } },
      statements: {
        type: 'object',
        required: ['rows', 'runs'],
        properties: {
          rows: { type: 'array', items: { type: 'object', required: ['queryId', 'query', 'a', 'b'], properties: { queryId: { type: 'string' }, query: { type: 'string' }, a: perRun, b: perRun } } },
          runs: { type: 'object', required: ['a', 'b'], properties: { a: num, b: num } },
        },
      },
      slower: strings,
    },
  },
};
