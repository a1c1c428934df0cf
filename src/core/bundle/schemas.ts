// JSON Schemas of the bundle files Rampart writes itself (validated with ajv by ./read.ts).
//
//   run.json        RUN_MANIFEST_SCHEMA   written by `rampart run`
//   generator.json  GENERATOR_SCHEMA      written by the measurement plugin
//   resources.json, statements.json       written by src/sample (./sample-schemas.ts)
//
// Each schema's `properties` must name exactly the fields of its TypeScript type (./types.ts): the
// `satisfies Fields<T>` below fails to compile when a field is added to one and not the other.
// Fields a newer writer adds are tolerated (additionalProperties is left open); a field of the
// wrong type, a missing required field or a foreign `schema` id is an error.
import type { SchemaObject } from 'ajv';
import type { GeneratorFile, GeneratorPeriod, PlannedPhase, RunManifest } from './types.ts';
import { SAFE_NAME } from '../paths.ts';
import { RESOURCES_SCHEMA, STATEMENTS_SCHEMA } from './sample-schemas.ts';

/** One schema per field of T, optional fields included, no field T does not have. */
export type Fields<T> = { [K in keyof Required<T>]: SchemaObject };

/** A bundle file's schema, with what the file is (for error messages). */
export interface BundleSchema<T> {
  schema: SchemaObject;
  /** e.g. "a run manifest (run.json)": completes "expected ..." */
  what: string;
  /** what to do when the file is corrupt, e.g. "the file is corrupt or from another tool" */
  advice: string;
  /** compile-time only: the type a valid file has */
  readonly type?: T;
}

export const CORRUPT_ADVICE = 'the file is corrupt or from another tool';

/**
 * A JSON object used as a map from names (endpoint keys, metric names) to values. '__proto__' is
 * refused as a name: assigned into a plain object later it would replace the object's prototype
 * instead of adding an entry (read.ts words the error).
 */
export const NOT_PROTO = { not: { const: '__proto__' } } as const;
export const mapOf = (values: SchemaObject): SchemaObject => ({ type: 'object', propertyNames: NOT_PROTO, additionalProperties: values });

const string = { type: 'string' } as const;
/** A name that becomes part of a path (src/core/paths.ts checkName): read.ts words its error. */
export const SAFE_NAME_PATTERN = `^(?!.*\\.\\.)${SAFE_NAME.source.slice(1)}`;
const safeName = { type: 'string', pattern: SAFE_NAME_PATTERN } as const;
const nullableString = { type: ['string', 'null'] } as const;
const nonNegative = { type: 'number', minimum: 0 } as const;
const count = { type: 'integer', minimum: 0 } as const;
const nullableTime = { type: ['number', 'null'], minimum: 0 } as const;
const boolean = { type: 'boolean' } as const;
const stringList = { type: 'array', items: string } as const;

const plannedPhase: SchemaObject = {
  type: 'object',
  required: ['duration'] satisfies (keyof PlannedPhase)[],
  properties: {
    name: string,
    duration: nonNegative,
    arrivalRate: nonNegative,
    rampTo: nonNegative,
    arrivalCount: nonNegative,
    pause: nonNegative,
  } satisfies Fields<PlannedPhase>,
};

export const RUN_MANIFEST_SCHEMA: BundleSchema<RunManifest> = {
  what: 'a run manifest (run.json)',
  advice: CORRUPT_ADVICE,
  schema: {
    type: 'object',
    required: [
      'schema', 'runId', 'profile', 'flows', 'seed', 'target', 'gitRevision', 'startedAt', 'endedAt', 'interrupted',
      'artilleryExitCode', 'rateScale', 'durationOverride', 'phases', 'versions', 'host',
    ] satisfies (keyof RunManifest)[],
    properties: {
      schema: { const: 'rampart.run/1' },
      runId: safeName,
      profile: safeName,
      flows: {
        type: 'array',
        items: { type: 'object', required: ['name', 'weight'], properties: { name: safeName, weight: nonNegative } },
      },
      seed: count,
      target: string,
      gitRevision: nullableString,
      startedAt: { type: 'string', format: 'date-time' },
      endedAt: { type: ['string', 'null'], format: 'date-time' },
      interrupted: boolean,
      artilleryExitCode: { type: ['integer', 'null'] },
      rateScale: { type: 'number', exclusiveMinimum: 0 },
      durationOverride: nullableString,
      phases: { type: 'array', items: plannedPhase },
      versions: {
        type: 'object',
        required: ['rampart', 'artillery', 'node'],
        properties: { rampart: string, artillery: string, node: string } satisfies Fields<RunManifest['versions']>,
      },
      host: {
        type: 'object',
        required: ['hostname', 'cpus', 'memoryBytes'],
        properties: { hostname: string, cpus: count, memoryBytes: nonNegative } satisfies Fields<RunManifest['host']>,
      },
    } satisfies Fields<RunManifest>,
  },
};

const generatorPeriod: SchemaObject = {
  type: 'object',
  required: ['start', 'plannedArrivals', 'actualArrivals', 'cpuPercent', 'eventLoopDelayP99Ms', 'eventLoopDelayMaxMs'] satisfies (keyof GeneratorPeriod)[],
  properties: {
    start: nonNegative,
    plannedArrivals: nonNegative,
    actualArrivals: nonNegative,
    cpuPercent: nonNegative,
    eventLoopDelayP99Ms: nonNegative,
    eventLoopDelayMaxMs: nonNegative,
    workerUtilization: { type: 'number', minimum: 0, maximum: 1 },
    workerEventLoopDelayP99Ms: nonNegative,
  } satisfies Fields<GeneratorPeriod>,
};

export const GENERATOR_SCHEMA: BundleSchema<GeneratorFile> = {
  what: 'the load generator health (generator.json)',
  advice: CORRUPT_ADVICE,
  schema: {
    type: 'object',
    required: ['schema', 'periods', 'planned', 'actual', 'trust'] satisfies (keyof GeneratorFile)[],
    properties: {
      schema: { const: 'rampart.generator/1' },
      periods: { type: 'array', items: generatorPeriod },
      planned: {
        type: 'object',
        required: ['arrivals', 'durationSeconds'],
        properties: { arrivals: nonNegative, durationSeconds: nonNegative } satisfies Fields<GeneratorFile['planned']>,
      },
      actual: {
        type: 'object',
        required: ['arrivals', 'firstArrivalAt', 'lastArrivalAt'],
        properties: { arrivals: nonNegative, firstArrivalAt: nullableTime, lastArrivalAt: nullableTime } satisfies Fields<GeneratorFile['actual']>,
      },
      trust: {
        type: 'object',
        required: ['trustworthy', 'reasons'],
        properties: { trustworthy: boolean, reasons: stringList, generatorDelayMs: nonNegative } satisfies Fields<GeneratorFile['trust']>,
      },
      judged: {
        type: 'object',
        required: ['start', 'end'],
        properties: { start: nonNegative, end: nonNegative } satisfies Fields<NonNullable<GeneratorFile['judged']>>,
      },
    } satisfies Fields<GeneratorFile>,
  },
};

/** The bundle files readBundleFile knows, by their name in BUNDLE_FILES. */
export const BUNDLE_SCHEMAS = {
  run: RUN_MANIFEST_SCHEMA,
  generator: GENERATOR_SCHEMA,
  resources: RESOURCES_SCHEMA,
  statements: STATEMENTS_SCHEMA,
} as const;

export type BundleFileKind = keyof typeof BUNDLE_SCHEMAS;
export type BundleFileType<K extends BundleFileKind> = (typeof BUNDLE_SCHEMAS)[K] extends BundleSchema<infer T> ? T : never;
