// JSON Schema of baseline files (ci/baselines/<profile>.json, BaselineFile in ./baseline.ts),
// validated through src/core/bundle/read.ts when the gate reads one.
import { mapOf } from '../core/bundle/schemas.ts';
import type { BundleSchema, Fields } from '../core/bundle/schemas.ts';
import { schemaIdFirst } from '../core/bundle/gate-schema.ts';
import type { BaselineFile, BaselinePeriod, BaselineRun } from './baseline.ts';

export const BASELINE_SCHEMA_ID = 'rampart.baseline/1';

const figure = { type: 'number' } as const;
const nullableString = { type: ['string', 'null'] } as const;

const period = {
  type: 'object',
  required: ['start', 'responses', 'min', 'p50', 'p75', 'p90'] satisfies (keyof BaselinePeriod)[],
  properties: { start: figure, responses: figure, min: figure, p50: figure, p75: figure, p90: figure } satisfies Fields<BaselinePeriod>,
};

const run = {
  type: 'object',
  required: ['runId', 'endpoints'] satisfies (keyof BaselineRun)[],
  properties: {
    runId: { type: 'string' },
    profile: nullableString,
    gitRevision: nullableString,
    startedAt: nullableString,
    endpoints: mapOf({ type: 'array', items: period }),
  } satisfies Fields<BaselineRun>,
};

export const BASELINE_FILE_SCHEMA: BundleSchema<BaselineFile> = {
  what: 'a baseline file',
  advice: 'the baseline file is corrupt, restore it from git or rebuild it with --update-baseline',
  schema: {
    type: 'object',
    allOf: schemaIdFirst(BASELINE_SCHEMA_ID),
    required: ['schema', 'profile', 'runs'],
    properties: {
      schema: { const: BASELINE_SCHEMA_ID },
      profile: nullableString,
      updatedAt: { type: 'string' },
      runs: { type: 'array', items: run },
    } satisfies Fields<BaselineFile>,
  },
};
