// JSON Schemas of resources.json and statements.json (written by src/sample, read by ./read.ts
// through ./schemas.ts BUNDLE_SCHEMAS). As there, each `properties` names exactly the fields of its
// type (`satisfies Fields<T>`), newer fields are tolerated and a field of the wrong type is an error.
import type { SchemaObject } from 'ajv';
import type { BundleSchema, Fields } from './schemas.ts';
import type { ResourceSample, ResourcesFile, StatementDelta, StatementPlan, StatementsFile } from './types.ts';

const CORRUPT = 'the file is corrupt or from another tool';
const num = { type: 'number', minimum: 0 } as const;
const ratio = { type: ['number', 'null'], minimum: 0, maximum: 1 } as const;
const string = { type: 'string' } as const;
const object = (required: string[], properties: Record<string, SchemaObject>): SchemaObject => ({ type: 'object', required, properties });

type Part<K extends keyof ResourceSample> = NonNullable<ResourceSample[K]>;

const sample: SchemaObject = object(['t'], {
  t: num,
  platform: object(['cpuUserPercent', 'cpuSystemPercent', 'rssBytes'], {
    cpuUserPercent: num, cpuSystemPercent: num, rssBytes: num, heapUsedBytes: num, eventLoopDelayP99Ms: num,
    gcSeconds: num, handles: num, diskReadBytes: num, diskWriteBytes: num,
  } satisfies Fields<Part<'platform'>>),
  databaseProcess: object(['cpuPercent', 'rssBytes'], { cpuPercent: num, rssBytes: num, diskReadBytes: num, diskWriteBytes: num } satisfies Fields<Part<'databaseProcess'>>),
  host: object(['cpuPercent', 'netRxBytes', 'netTxBytes'], { cpuPercent: num, netRxBytes: num, netTxBytes: num } satisfies Fields<Part<'host'>>),
  pool: object(['total', 'inUse', 'waiting'], { total: num, inUse: num, waiting: num } satisfies Fields<Part<'pool'>>),
  database: object(['active', 'idle', 'idleInTransaction', 'waitingOnLock', 'cacheHitRatio', 'rowsRead', 'rowsWritten', 'tempBytes', 'deadlocks'], {
    active: num, idle: num, idleInTransaction: num, waitingOnLock: num, cacheHitRatio: ratio,
    rowsRead: num, rowsWritten: num, tempBytes: num, deadlocks: num,
  } satisfies Fields<Part<'database'>>),
  generator: object(['cpuPercent', 'rssBytes'], { cpuPercent: num, rssBytes: num } satisfies Fields<Part<'generator'>>),
  // a map of gauge names; '__proto__' is refused (see ./schemas.ts NOT_PROTO)
  queues: { type: 'object', propertyNames: { not: { const: '__proto__' } }, additionalProperties: { type: 'number' } },
} satisfies Fields<ResourceSample>);

export const RESOURCES_SCHEMA: BundleSchema<ResourcesFile> = {
  what: 'the platform resources sampled during the run (resources.json)',
  advice: CORRUPT,
  schema: object(['schema', 'intervalMs', 'sources', 'missing', 'samples'], {
    schema: { const: 'rampart.resources/1' },
    intervalMs: { type: 'number', exclusiveMinimum: 0 },
    sources: object(['platform', 'database', 'generator'], {
      platform: { enum: ['proc', 'metrics', null] },
      database: { enum: ['postgres', null] },
      generator: { enum: ['proc', null] },
    } satisfies Fields<ResourcesFile['sources']>),
    missing: { type: 'array', items: string },
    samples: { type: 'array', items: sample },
    sampler: object(['samples', 'cpuMsPerSample'], { samples: num, cpuMsPerSample: num } satisfies Fields<NonNullable<ResourcesFile['sampler']>>),
  } satisfies Fields<ResourcesFile>),
};

const statement: SchemaObject = object(['queryId', 'query', 'calls', 'totalExecMs', 'meanExecMs', 'rows', 'sharedBlksHit', 'sharedBlksRead', 'tempBlksWritten'], {
  queryId: string, query: string, calls: num, totalExecMs: num, meanExecMs: num, rows: num,
  sharedBlksHit: num, sharedBlksRead: num, tempBlksWritten: num,
} satisfies Fields<StatementDelta>);

const plan: SchemaObject = object(['queryId', 'plan'], { queryId: string, plan: {}, error: string } satisfies Fields<StatementPlan>);

export const STATEMENTS_SCHEMA: BundleSchema<StatementsFile> = {
  what: 'the SQL statements of the run (statements.json)',
  advice: CORRUPT,
  schema: object(['schema', 'source', 'window', 'totalExecMs', 'statements', 'plans'], {
    schema: { const: 'rampart.statements/1' },
    source: { const: 'pg_stat_statements' },
    window: object(['start', 'end'], { start: num, end: num } satisfies Fields<StatementsFile['window']>),
    totalExecMs: num,
    statements: { type: 'array', items: statement },
    plans: { type: 'array', items: plan },
  } satisfies Fields<StatementsFile>),
};
