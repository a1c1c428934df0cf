// The JSON Schema of findings.json ('rampart.findings/1', ./types.ts), in the form of the bundle
// files' schemas (src/core/bundle/schemas.ts): `rampart analyze --out` validates what it writes
// with it, and readers validate what they read.
import type { SchemaObject } from 'ajv';
import type { BundleSchema, Fields } from '../core/bundle/schemas.ts';
import { CORRUPT_ADVICE } from '../core/bundle/schemas.ts';
import { FINDING_RULES } from './types.ts';
import type { Evidence, Finding, FindingsFile } from './types.ts';

const string = { type: 'string' } as const;
const evidence: SchemaObject = {
  type: 'object',
  required: ['label', 'value', 'unit'],
  properties: { label: string, value: { type: 'number' }, unit: string } satisfies Fields<Evidence>,
};
const finding: SchemaObject = {
  type: 'object',
  required: ['rank', 'rule', 'tier', 'subject', 'title', 'share', 'shareOf', 'evidence', 'recommendation'],
  properties: {
    rank: { type: 'integer', minimum: 1 },
    rule: { enum: [...FINDING_RULES] },
    tier: { enum: ['bottleneck', 'symptom'] },
    subject: string,
    title: string,
    share: { type: 'number', minimum: 0, maximum: 1 },
    shareOf: { enum: ['request time', 'database time', 'errors', 'run'] },
    evidence: { type: 'array', items: evidence },
    recommendation: string,
  } satisfies Fields<Finding>,
};

export const FINDINGS_SCHEMA: BundleSchema<FindingsFile> = {
  what: 'findings of rampart analyze (rampart.findings/1)',
  advice: CORRUPT_ADVICE,
  schema: {
    type: 'object',
    required: ['schema', 'run', 'generatedAt', 'inputs', 'findings'],
    properties: {
      schema: { const: 'rampart.findings/1' },
      run: string,
      generatedAt: string,
      inputs: {
        type: 'object',
        required: ['histograms', 'generator', 'resources', 'statements', 'missing'],
        properties: {
          histograms: { type: 'boolean' }, generator: { type: 'boolean' }, resources: { type: 'boolean' }, statements: { type: 'boolean' },
          missing: { type: 'array', items: string },
        },
      },
      findings: { type: 'array', items: finding },
    } satisfies Fields<FindingsFile>,
  },
};
