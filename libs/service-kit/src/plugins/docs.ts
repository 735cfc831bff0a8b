import { STATUS_CODES } from 'node:http';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import { checkKnownOptions, checkName, checkOptionalString } from './options.ts';

export interface DocsOptions {
  /** The document's title: the service's name. */
  title: string;
  version?: string;
  description?: string;
}

const PLUGIN = 'service-kit-docs';
/** What @fastify/swagger writes when a response schema has no description of its own. */
const UNDESCRIBED = 'Default Response';
const PROBLEM_REF = '#/components/schemas/Problem';

/**
 * What an answer means when its route does not say: the kit's error catalogue and
 * `@marketplace/jwt` give these statuses one meaning in every service.
 */
const STATUS_MEANINGS: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No content',
  400: 'Invalid request (`validation-error`: `errors` names each field)',
  401: 'No valid access token (`unauthorized`, `invalid-token`, `token-expired`)',
  403: 'Not allowed for this caller (`forbidden`, or the code says why)',
  404: 'Not found',
  409: 'Conflicts with the current state (the code says which)',
  412: 'The version given in If-Match is no longer the current one',
  422: 'Well-formed, but refused by a business rule (the code says which)',
  428: 'If-Match is required here',
  429: 'Too many requests: Retry-After says when to try again',
  503: 'Unavailable for now: Retry-After says when to try again',
};

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** One allowed value, as TypeBox writes a literal: `{ type, enum: [v] }` or `{ const: v }`. */
function literal(schema: unknown): { type: unknown; value: unknown } | undefined {
  if (!isObject(schema)) return undefined;
  const keys = Object.keys(schema).filter((key) => key !== 'type');
  if (keys.length !== 1) return undefined;
  if (keys[0] === 'const') return { type: schema.type, value: schema.const };
  if (keys[0] === 'enum' && Array.isArray(schema.enum) && schema.enum.length === 1) {
    return { type: schema.type, value: schema.enum[0] };
  }
  return undefined;
}

/**
 * A union of literals (`Type.Union([Type.Literal('a'), ...])`) as the one `enum` it means, typed:
 * Swagger UI shows an `anyOf` of literals as "any" and offers no choice of values.
 */
function tidySchemas(value: unknown): void {
  if (Array.isArray(value)) return value.forEach(tidySchemas);
  if (!isObject(value)) return;
  for (const inner of Object.values(value)) tidySchemas(inner);
  if (Array.isArray(value.anyOf) && value.anyOf.length > 1) {
    const literals = value.anyOf.map(literal);
    const values = literals.map((item) => item?.value);
    if (
      literals.every((item) => item !== undefined) &&
      values.every((v) => typeof v === 'string')
    ) {
      delete value.anyOf;
      value.enum = values;
    }
  }
  if (Array.isArray(value.enum) && value.type === undefined) {
    if (value.enum.every((v) => typeof v === 'string')) value.type = 'string';
  }
}

/** A query parameter with a default may be left out: the server fills the default in. */
function optionalDefaults(operation: Json): void {
  if (!Array.isArray(operation.parameters)) return;
  for (const parameter of operation.parameters) {
    if (!isObject(parameter) || parameter.in !== 'query' || !isObject(parameter.schema)) continue;
    if (parameter.required === true && parameter.schema.default !== undefined) {
      parameter.required = false;
    }
  }
}

/**
 * Every response gets a description from its status when the route gave none, problem answers
 * are documented as `application/problem+json` (the media type the errors plugin sends), and
 * schemas are written the way a reader of Swagger UI can use them.
 */
function tidyDocument(document: Json): Json {
  const paths = isObject(document.paths) ? document.paths : {};
  for (const item of Object.values(paths)) {
    if (!isObject(item)) continue;
    for (const operation of Object.values(item)) {
      if (!isObject(operation) || !isObject(operation.responses)) continue;
      optionalDefaults(operation);
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!isObject(response)) continue;
        if (response.description === UNDESCRIBED) {
          response.description = STATUS_MEANINGS[status] ?? STATUS_CODES[status] ?? status;
        }
        const content = isObject(response.content) ? response.content : undefined;
        const json = content?.['application/json'];
        if (
          content &&
          isObject(json) &&
          isObject(json.schema) &&
          json.schema.$ref === PROBLEM_REF
        ) {
          response.content = { 'application/problem+json': json };
        }
      }
    }
  }
  tidySchemas(document);
  return document;
}

/**
 * The OpenAPI 3.1 document of every route registered after this plugin, from their schemas;
 * served at `/openapi.json` (the gateway merges the services' documents). Routes give each
 * operation its `operationId`, `summary`, `tags` and `security` (`[]` when public).
 */
const docs: FastifyPluginAsync<DocsOptions> = async (app, options) => {
  const { title, version, description } = checkKnownOptions(PLUGIN, options, [
    'title',
    'version',
    'description',
  ]);
  checkName(PLUGIN, 'title', title);
  checkOptionalString(PLUGIN, 'version', version);
  checkOptionalString(PLUGIN, 'description', description);
  await app.register(swagger, {
    // Shared schemas appear in the document under their $id (Problem, Category), not def-N.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: options.title,
        version: options.version ?? '0.1.0',
        description: options.description ?? '',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          // Service-to-service routes under /internal (never routed by the gateway).
          internalToken: { type: 'apiKey', in: 'header', name: 'x-internal-token' },
        },
      },
    },
    // @fastify/swagger builds the document from copies of the routes' schemas (docs.test.ts
    // checks it), so tidying it leaves validation alone. Made once, then cached.
    transformObject: (documentObject) =>
      tidyDocument(
        ('openapiObject' in documentObject
          ? documentObject.openapiObject
          : documentObject.swaggerObject) as Json,
      ),
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};

export const docsPlugin = fp(docs, { name: PLUGIN, fastify: '5.x' });
