import ajvFormats from 'ajv-formats';
import {
  AjvCompiler,
  type BuildCompilerFromPool,
  type ValidatorFactory,
} from '@fastify/ajv-compiler';

type CompilerOptions = NonNullable<Parameters<BuildCompilerFromPool>[1]>;
type AjvPlugin = Extract<
  NonNullable<CompilerOptions['plugins']>[number],
  (...args: never[]) => unknown
>;

/** The keyword `withFiniteNumbers` adds to every number and integer schema. */
const FINITE = 'finiteNumber';

/**
 * Ajv coerces the query string `Infinity` (or `1e309`) to a number and checks its type before the
 * coercion only, so `strictNumbers` alone lets it through (and then skips the range keywords for
 * it). This keyword runs on the coerced value; it is deliberately not tied to a data type, since
 * Ajv would skip it for non-finite numbers too.
 */
const finiteNumbers: AjvPlugin = (ajv) =>
  ajv.addKeyword({
    keyword: FINITE,
    schemaType: 'boolean',
    errors: false,
    error: { message: 'must be a finite number' },
    validate: (enabled: boolean, data: unknown) =>
      !enabled || typeof data !== 'number' || Number.isFinite(data),
  });

export const ajvOptions = {
  customOptions: {
    removeAdditional: 'all',
    coerceTypes: 'array',
    useDefaults: true,
    allErrors: true,
    // A JSON body's 1e309 parses to Infinity: not a number to any schema.
    strictNumbers: true,
  },
  plugins: [ajvFormats.default ?? ajvFormats, finiteNumbers],
} satisfies CompilerOptions;

const SUBSCHEMA = ['items', 'additionalProperties', 'not', 'if', 'then', 'else', 'contains'];
const SUBSCHEMA_LIST = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
const SUBSCHEMA_MAP = ['properties', 'patternProperties', '$defs', 'definitions'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumeric(type: unknown): boolean {
  const types: unknown[] = Array.isArray(type) ? type : [type];
  return types.some((t) => t === 'number' || t === 'integer');
}

/** A copy of `schema` in which every number and integer (at any depth) must also be finite. */
export function withFiniteNumbers(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withFiniteNumbers);
  if (!isRecord(schema)) return schema;
  const copy: Record<string, unknown> = { ...schema };
  for (const key of [...SUBSCHEMA, ...SUBSCHEMA_LIST]) {
    if (key in copy) copy[key] = withFiniteNumbers(copy[key]);
  }
  for (const key of SUBSCHEMA_MAP) {
    const map = copy[key];
    if (isRecord(map)) {
      copy[key] = Object.fromEntries(
        Object.entries(map).map(([name, sub]) => [name, withFiniteNumbers(sub)]),
      );
    }
  }
  if (isNumeric(copy.type)) copy[FINITE] = true;
  return copy;
}

type RouteValidatorCompiler = (route: { httpPart?: string; schema?: unknown }) => unknown;
const ajvPool = AjvCompiler();

/**
 * Unknown properties are dropped from bodies, queries and params (never stored), but never from
 * headers: there it would strip `authorization` and every header a route did not list.
 * Schemas reach Ajv as copies requiring finite numbers; the originals (and OpenAPI) stay as written.
 * The package's types describe the compiler as schema => validator; at run time Fastify passes
 * the route definition, hence the casts.
 */
export const buildValidator = ((...[externalSchemas, options]: Parameters<typeof ajvPool>) => {
  const external = Object.fromEntries(
    Object.entries(externalSchemas).map(([id, schema]) => [id, withFiniteNumbers(schema)]),
  ) as typeof externalSchemas;
  const stripping = ajvPool(external, options) as unknown as RouteValidatorCompiler;
  const keeping = ajvPool(external, {
    ...options,
    customOptions: { ...options?.customOptions, removeAdditional: false },
  } as typeof options) as unknown as RouteValidatorCompiler;
  const compile: RouteValidatorCompiler = (route) => {
    const finite = { ...route, schema: withFiniteNumbers(route.schema) };
    return route.httpPart === 'headers' ? keeping(finite) : stripping(finite);
  };
  return compile;
}) as ValidatorFactory;
