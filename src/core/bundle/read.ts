// The one reader of bundle files (and of any JSON file a command is given): read, parse, validate
// against a JSON Schema (./schemas.ts), and on any failure throw a one-line RampartError (exit 2)
// that names the file, the field when there is one, and what to do.
//
//   readJsonFile(path, what)                 text -> JSON value; missing, folder, unreadable, empty
//                                            and invalid JSON each get their own line
//   validate(schema, value, path)            JSON value -> typed value, or one line such as
//                                            "reports/x/run.json: /phases/0/duration must be number; ..."
//   readSchemaFile(path, schema, options)    both, for any BundleSchema (optional: null when absent)
//   readBundleFile(path, 'run' | 'generator', options)   the same for the files ./schemas.ts knows
import { readFile } from 'node:fs/promises';
import { Ajv } from 'ajv';
import type { ErrorObject, SchemaObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { fileError, usageError } from '../errors.ts';
import { BUNDLE_SCHEMAS, CORRUPT_ADVICE, SAFE_NAME_PATTERN } from './schemas.ts';
import type { BundleFileKind, BundleFileType, BundleSchema } from './schemas.ts';

/** What to tell the user to do when the file is absent, or present but unusable. */
export interface ReadAdvice {
  /** e.g. "give a bundle folder or an 'artillery run --output' JSON file" (default: "check the path") */
  missing?: string;
  /** for an empty file or invalid JSON (default: "the file is corrupt or from another tool") */
  corrupt?: string;
}

export interface ReadOptions extends ReadAdvice {
  /** absent file -> null instead of an error (a folder or an unreadable file is still an error) */
  optional?: boolean;
}

const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;
const firstLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0];

async function readText(path: string, what: string, advice: ReadAdvice, optional: boolean): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' && optional) return null;
    if (code === 'ENOENT') throw usageError(`${path}: no such file, expected ${what}; ${advice.missing ?? 'check the path'}`);
    if (code === 'EISDIR') throw usageError(`${path}: is a folder, expected ${what}; give the file's path`);
    if (code === 'EACCES' || code === 'EPERM') throw usageError(`${path}: permission denied reading ${what}; check the file's permissions`);
    if (code === 'ERR_STRING_TOO_LONG' || code === 'ERR_FS_FILE_TOO_LARGE') throw usageError(`${path}: too large to read as ${what}; check the path`);
    throw fileError(error, path, `read ${what}`);
  }
}

function parseJson(text: string, path: string, what: string, advice: ReadAdvice): unknown {
  const corrupt = advice.corrupt ?? CORRUPT_ADVICE;
  if (text.trim() === '') throw usageError(`${path}: file is empty, expected ${what}; ${corrupt}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw usageError(`${path}: not valid JSON (${firstLine(error)}), expected ${what}; ${corrupt}`);
  }
}

/** Reads and parses a JSON file; a one-line usage error (exit 2) naming the file otherwise. */
export async function readJsonFile(path: string, what: string, advice: ReadAdvice = {}): Promise<unknown> {
  return parseJson((await readText(path, what, advice, false)) ?? '', path, what, advice);
}

/** As readJsonFile, but null when the file does not exist. */
export async function readOptionalJsonFile(path: string, what: string, advice: ReadAdvice = {}): Promise<unknown> {
  const text = await readText(path, what, advice, true);
  return text === null ? null : parseJson(text, path, what, advice);
}

// ajv-formats is CommonJS; under Node's ESM loader its default export is the plugin function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: false, allowUnionTypes: true, strict: true }));
const compiled = new WeakMap<SchemaObject, ValidateFunction>();

function validatorOf(schema: SchemaObject): ValidateFunction {
  let validator = compiled.get(schema);
  if (validator === undefined) {
    validator = ajv.compile(schema);
    compiled.set(schema, validator);
  }
  return validator;
}

const quote = (value: unknown): string => (typeof value === 'string' ? `'${value}'` : JSON.stringify(value));

/** The `schema` id a file must declare, when its schema fixes one with `const`. */
function schemaId(schema: SchemaObject): unknown {
  const properties = schema.properties as Record<string, { const?: unknown } | undefined> | undefined;
  return properties?.schema?.const;
}

/**
 * A JSON pointer as a reader wants it: segments unescaped (~1 is '/', ~0 is '~'), and a segment that
 * holds a '/' or a space quoted, so `/endpoints/GET ~1a` reads `/endpoints/'GET /a'`.
 */
function readablePointer(pointer: string): string {
  return pointer
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .map((segment) => (/[/\s]/.test(segment) ? `'${segment}'` : segment))
    .join('/');
}

/** "<field path> <what is wrong>" for ajv's first error. */
function describe(error: ErrorObject, schema: SchemaObject, value: unknown): string {
  const at = readablePointer(error.instancePath);
  const field = at === '' ? '(top level)' : at;
  const params = error.params as Record<string, unknown>;
  const expectedId = schemaId(schema);
  const declaredId = typeof value === 'object' && value !== null ? (value as { schema?: unknown }).schema : undefined;
  const idMissing = error.keyword === 'required' && error.instancePath === '' && params.missingProperty === 'schema';
  if (expectedId !== undefined && (idMissing || (error.instancePath === '/schema' && error.keyword === 'const'))) {
    return `expected schema ${quote(expectedId)}, found ${declaredId === undefined ? 'none' : quote(declaredId)}`;
  }
  // a key refused by propertyNames (NOT_PROTO in ./schemas.ts): ajv reports the key's own error first
  if (error.propertyName !== undefined) return `${field} has the key ${quote(error.propertyName)}, which cannot be a name`;
  switch (error.keyword) {
    case 'required':
      return `${at}/${String(params.missingProperty)} is missing`;
    case 'type':
      return `${field} must be ${Array.isArray(params.type) ? params.type.join(' or ') : String(params.type)}`;
    case 'const':
      return `${field} must be ${quote(params.allowedValue)}`;
    case 'enum':
      return `${field} must be one of ${(params.allowedValues as unknown[]).map(quote).join(', ')}`;
    case 'pattern':
      return params.pattern === SAFE_NAME_PATTERN
        ? `${field} must be a name of letters, digits, '.', '_' and '-' (no '/' or '..'), it becomes part of a path`
        : `${field} ${error.message ?? 'is invalid'}`;
    default:
      return `${field} ${error.message ?? 'is invalid'}`;
  }
}

/**
 * The value, typed, when it matches the schema; otherwise a one-line usage error (exit 2):
 * `<path>: <field path> <what is wrong>; <what to do>`. Each schema is compiled once.
 */
export function validate<T>(schema: BundleSchema<T>, value: unknown, path: string): T {
  const validator = validatorOf(schema.schema);
  if (validator(value)) return value as T;
  const error = validator.errors?.[0];
  const problem = error === undefined ? 'does not match its schema' : describe(error, schema.schema, value);
  throw usageError(`${path}: ${problem}; ${schema.advice}`);
}

/** Reads, parses and validates one JSON file against a schema; null when optional and absent. */
export async function readSchemaFile<T>(path: string, schema: BundleSchema<T>, options: ReadOptions & { optional: true }): Promise<T | null>;
export async function readSchemaFile<T>(path: string, schema: BundleSchema<T>, options?: ReadOptions): Promise<T>;
export async function readSchemaFile<T>(path: string, schema: BundleSchema<T>, options: ReadOptions = {}): Promise<T | null> {
  const advice: ReadAdvice = { missing: options.missing, corrupt: options.corrupt ?? schema.advice };
  const text = await readText(path, schema.what, advice, options.optional === true);
  return text === null ? null : validate(schema, parseJson(text, path, schema.what, advice), path);
}

/**
 * Reads one of the bundle's own files (the path of the file itself, e.g. bundleFile(dir, 'run')) and
 * returns it typed; null when `optional` and the file does not exist.
 */
export async function readBundleFile<K extends BundleFileKind>(path: string, kind: K, options: ReadOptions & { optional: true }): Promise<BundleFileType<K> | null>;
export async function readBundleFile<K extends BundleFileKind>(path: string, kind: K, options?: ReadOptions): Promise<BundleFileType<K>>;
export async function readBundleFile<K extends BundleFileKind>(path: string, kind: K, options: ReadOptions = {}): Promise<BundleFileType<K> | null> {
  const schema = BUNDLE_SCHEMAS[kind] as BundleSchema<BundleFileType<K>>;
  return readSchemaFile(path, schema, options);
}
