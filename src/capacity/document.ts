// capacity.json (schema rampart.capacity/1): the search as it ran and its result, validated against
// its JSON Schema before it is written. Pure.
import type { BundleSchema } from '../core/bundle/schemas.ts';
import type { SearchResult, SearchSettings, StepOutcome } from './search.ts';

export const CAPACITY_SCHEMA_ID = 'rampart.capacity/1';

export interface CapacityFile {
  schema: 'rampart.capacity/1';
  profile: string;
  target: string; // redacted
  startedAt: string;
  /** how a step is made from the profile */
  step: { durationSeconds: number; peakRate: number; derivation: string };
  settings: Omit<SearchSettings, 'clock'>;
  slo: { sources: string[] };
  platformEnv: Record<string, string>; // values of secret-looking names redacted
  steps: (Omit<StepOutcome, 'bundle'> & { bundle: string; rateScale: number })[];
  result: {
    outcome: SearchResult['outcome'];
    stoppedBecause: string;
    sustainableRate: number | null;
    /** the sustainable rate as a scale of the profile's peak phase rate (rampart run --rate-scale) */
    sustainableRateScale: number | null;
    bracket: { lastPass: number | null; firstFail: number | null; width: number | null };
    precisionMet: boolean;
    limits: SearchResult['limits'];
    firstLimit: SearchResult['limits'][number] | null;
    wallSeconds: number;
  };
}

export function capacityFile(input: {
  profile: string; target: string; startedAt: string; stepSeconds: number; peakRate: number; settings: SearchSettings;
  sloSources: string[]; platformEnv: Record<string, string>; search: SearchResult; relativeBundle: (dir: string) => string;
}): CapacityFile {
  const { search, peakRate } = input;
  const scale = (rate: number | null): number | null => (rate === null || peakRate <= 0 ? null : Math.round((rate / peakRate) * 1000) / 1000);
  const { startRate, minRate, maxRate, growth, precision, budgetSeconds } = input.settings;
  const settings = { startRate, minRate, maxRate, growth, precision, budgetSeconds };
  return {
    schema: CAPACITY_SCHEMA_ID,
    profile: input.profile,
    target: input.target,
    startedAt: input.startedAt,
    step: {
      durationSeconds: input.stepSeconds,
      peakRate,
      derivation: `each step is one constant-rate phase of ${input.stepSeconds} s with the profile's flow mix, config and SLOs; rate-scale = rate / the profile's peak phase rate (${peakRate} arrivals/s)`,
    },
    settings,
    slo: { sources: input.sloSources },
    platformEnv: input.platformEnv,
    steps: search.steps.map((s) => ({ ...s, bundle: input.relativeBundle(s.bundle), rateScale: scale(s.rate) ?? 0 })),
    result: {
      outcome: search.outcome,
      stoppedBecause: search.stoppedBecause,
      sustainableRate: search.sustainableRate,
      sustainableRateScale: scale(search.sustainableRate),
      bracket: { lastPass: search.lastPass, firstFail: search.firstFail, width: search.bracketWidth },
      precisionMet: search.precisionMet,
      limits: search.limits,
      firstLimit: search.limits.at(0) ?? null,
      wallSeconds: Math.round(search.wallSeconds * 10) / 10,
    },
  };
}

const num = { type: 'number' } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const strings = { type: 'array', items: { type: 'string' } } as const;
const latency = { type: ['object', 'null'], required: ['p50', 'p95', 'p99'], properties: { p50: num, p95: num, p99: num } } as const;
const breach = {
  type: 'object',
  required: ['scope', 'metric', 'threshold', 'actual', 'unit'],
  properties: { scope: { type: 'string' }, metric: { type: 'string' }, threshold: num, actual: num, unit: { type: 'string' } },
} as const;
const limit = { ...breach, required: [...breach.required, 'firstBrokenAt'], properties: { ...breach.properties, firstBrokenAt: num } } as const;

const step = {
  type: 'object',
  required: ['rate', 'rateScale', 'passed', 'generatorBound', 'reasons', 'breaches', 'noData', 'latencyMs', 'requests', 'throughput', 'errorRate', 'endpoints', 'generator', 'bundle', 'wallSeconds'],
  properties: {
    rate: num, rateScale: num, passed: { type: 'boolean' }, generatorBound: { type: 'boolean' }, reasons: strings,
    breaches: { type: 'array', items: breach }, noData: strings, latencyMs: latency, requests: num, throughput: num, errorRate: num,
    endpoints: {
      type: 'array',
      items: { type: 'object', required: ['endpoint', 'requests', 'latencyMs', 'errorRate'], properties: { endpoint: { type: 'string' }, requests: num, latencyMs: latency, errorRate: num } },
    },
    generator: { type: 'object', required: ['trustworthy', 'reasons'], properties: { trustworthy: { type: 'boolean' }, reasons: strings } },
    bundle: { type: 'string' }, wallSeconds: num,
  },
} as const;

export const CAPACITY_FILE_SCHEMA: BundleSchema<CapacityFile> = {
  what: 'a capacity search (capacity.json)',
  advice: 'the file is corrupt or from another tool; run rampart capacity again',
  schema: {
    type: 'object',
    required: ['schema', 'profile', 'target', 'startedAt', 'step', 'settings', 'slo', 'platformEnv', 'steps', 'result'],
    properties: {
      schema: { const: CAPACITY_SCHEMA_ID },
      profile: { type: 'string' }, target: { type: 'string' }, startedAt: { type: 'string' },
      step: { type: 'object', required: ['durationSeconds', 'peakRate', 'derivation'], properties: { durationSeconds: num, peakRate: num, derivation: { type: 'string' } } },
      settings: {
        type: 'object',
        required: ['startRate', 'minRate', 'maxRate', 'growth', 'precision', 'budgetSeconds'],
        properties: { startRate: num, minRate: num, maxRate: num, growth: num, precision: num, budgetSeconds: num },
      },
      slo: { type: 'object', required: ['sources'], properties: { sources: strings } },
      platformEnv: { type: 'object', additionalProperties: { type: 'string' } },
      steps: { type: 'array', items: step },
      result: {
        type: 'object',
        required: ['outcome', 'stoppedBecause', 'sustainableRate', 'sustainableRateScale', 'bracket', 'precisionMet', 'limits', 'firstLimit', 'wallSeconds'],
        properties: {
          outcome: { enum: ['found', 'max-rate', 'budget', 'none-passed', 'generator-bound'] },
          stoppedBecause: { type: 'string' },
          sustainableRate: nullableNumber, sustainableRateScale: nullableNumber,
          bracket: { type: 'object', required: ['lastPass', 'firstFail', 'width'], properties: { lastPass: nullableNumber, firstFail: nullableNumber, width: nullableNumber } },
          precisionMet: { type: 'boolean' },
          limits: { type: 'array', items: limit },
          firstLimit: { oneOf: [{ type: 'null' }, limit] },
          wallSeconds: num,
        },
      },
    },
  },
};
