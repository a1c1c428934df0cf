// Request validation (Ajv 8, as Fastify's default compiler, with two differences):
// - unknown properties are an error, never silently removed (removeAdditional: false);
// - JSON bodies are not type-coerced: `{"displayName": ["x"]}` or `{"name": 5}` is a 400, while
//   querystring, params and headers (always strings on the wire) are coerced to their schema types.
import { Ajv } from 'ajv';
import type { AnySchema, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyServerOptions } from 'fastify';

// ajv-formats is CommonJS; under Node's ESM loader its default export is the plugin function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

function createAjv(coerceTypes: boolean | 'array', externalSchemas: Record<string, unknown>): Ajv {
  const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, addUsedSchema: false, allErrors: false });
  addFormats(ajv);
  for (const schema of Object.values(externalSchemas)) ajv.addSchema(schema as AnySchema);
  return ajv;
}

type CompileRequest = { schema: AnySchema & { $id?: string }; httpPart?: string };

function compiler(ajv: Ajv): (schema: CompileRequest['schema']) => ValidateFunction {
  return (schema) => {
    const existing = schema.$id === undefined ? undefined : ajv.getSchema(schema.$id);
    return existing ?? ajv.compile(schema);
  };
}

/** Fastify `schemaController` option: a body compiler without coercion, one with it for the rest. */
export const schemaController: NonNullable<FastifyServerOptions['schemaController']> = {
  compilersFactory: {
    buildValidator: (externalSchemas: unknown) => {
      const schemas = (externalSchemas ?? {}) as Record<string, unknown>;
      const body = compiler(createAjv(false, schemas));
      const strings = compiler(createAjv('array', schemas));
      return ({ schema, httpPart }: CompileRequest) => (httpPart === 'body' ? body(schema) : strings(schema));
    },
  },
};
