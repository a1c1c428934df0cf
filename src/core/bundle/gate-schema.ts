// JSON Schema of gate.json (GateResult in ./types.ts), written by `rampart gate` and read by
// `rampart report` (validated with ./read.ts).
import type { SchemaObject } from 'ajv';
import type { Fields, BundleSchema } from './schemas.ts';
import type { EndpointComparison, GateResult, SloCheck } from './types.ts';

/**
 * Checked before anything else (ajv applies allOf before required), so a file of another kind is
 * named by its schema id, not by the first field it lacks.
 */
export const schemaIdFirst = (id: string): SchemaObject[] => [{ required: ['schema'], properties: { schema: { const: id } } }];

const string = { type: 'string' } as const;
const nullableNumber = { type: ['number', 'null'] } as const;
const trust = { type: 'object', required: ['trustworthy', 'reasons'], properties: { trustworthy: { type: 'boolean' }, reasons: { type: 'array', items: string } } } as const;

const sloCheck: SchemaObject = {
  type: 'object',
  required: ['scope', 'metric', 'threshold', 'actual', 'unit', 'passed'] satisfies (keyof SloCheck)[],
  properties: {
    scope: string, metric: string, threshold: { type: 'number' }, actual: nullableNumber, unit: { enum: ['ms', 'ratio', 'rps', 'count', 'rate'] }, passed: { type: 'boolean' },
  } satisfies Fields<SloCheck>,
};

const comparison: SchemaObject = {
  type: 'object',
  required: ['endpoint', 'verdict', 'ratio', 'pValue', 'detail'] satisfies (keyof EndpointComparison)[],
  properties: {
    endpoint: string, verdict: { enum: ['SLOWER', 'FASTER', 'SAME', 'UNKNOWN'] }, ratio: nullableNumber, pValue: nullableNumber, detail: string,
  } satisfies Fields<EndpointComparison>,
};

export const GATE_RESULT_SCHEMA: BundleSchema<GateResult> = {
  what: 'a gate result (gate.json)',
  advice: "run 'rampart gate' again or delete the file",
  schema: {
    type: 'object',
    allOf: schemaIdFirst('rampart.gate/1'),
    required: ['schema', 'outcome', 'trust', 'slo', 'comparisons', 'baseline'] satisfies (keyof GateResult)[],
    properties: {
      schema: { const: 'rampart.gate/1' },
      outcome: { enum: ['pass', 'fail', 'untrustworthy'] },
      trust,
      slo: { type: 'array', items: sloCheck },
      comparisons: { type: 'array', items: comparison },
      baseline: { oneOf: [{ type: 'null' }, { type: 'object', required: ['source', 'runs'], properties: { source: string, runs: { type: 'integer', minimum: 0 } } }] },
    } satisfies Fields<GateResult>,
  },
};
