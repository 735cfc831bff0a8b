import { isDeepStrictEqual } from 'node:util';
import { ProblemSchema } from '@marketplace/contracts';

/** The parts of an OpenAPI 3 document the merge touches. */
export interface OpenApiDocument {
  openapi?: string;
  info?: {
    title?: string;
    version?: string;
    description?: string;
    license?: { name: string; identifier?: string; url?: string };
  };
  paths?: Record<string, unknown>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  tags?: Tag[];
  [key: string]: unknown;
}

export interface Tag {
  name: string;
  description?: string;
}

export interface ServiceDocument {
  service: string;
  document: OpenApiDocument | null;
}

const SCHEMA_REF = '#/components/schemas/';
/** The gateway's own component schemas, named like a service's (`Problem`). */
const GATEWAY = 'gateway';
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/** The public API's groups, in the order a reader meets them, for Swagger UI's sections. */
export const PUBLIC_TAGS: readonly Required<Tag>[] = [
  { name: 'auth', description: 'Accounts and sessions: register, log in, refresh, log out.' },
  { name: 'users', description: "The caller's own profile and password." },
  { name: 'products', description: 'The catalog: browse and search; sellers list their own.' },
  { name: 'categories', description: 'The category tree; admins edit it.' },
  { name: 'sellers', description: "A seller's public page." },
  { name: 'orders', description: 'Checkout, orders and their status, for buyers and sellers.' },
  { name: 'notifications', description: "The caller's notifications, live stream and e-mail." },
  { name: 'admin', description: 'Moderation: accounts, roles, parked events (admins only).' },
];

/**
 * The project publishes the API under no licence: all rights reserved. There is no licence text
 * to link (redocly.yaml says why `info-license-strict` is off for that).
 */
const LICENSE = { name: 'Proprietary: all rights reserved' };

const DESCRIPTION =
  'The public API of the marketplace, as served through the gateway. Errors are ' +
  '`application/problem+json` with a stable `code` to branch on. Public operations need no ' +
  'token (a token that is sent must still be valid); the others need `Authorization: Bearer ' +
  '<access token>` from `POST /api/auth/login`. Every operation may also answer 429 ' +
  '(`rate-limited`, per client network), and 502, 503 or 504 when the service behind it cannot ' +
  'answer.';

const RATE_LIMITED = {
  description: 'Too many requests from this client network: Retry-After says when to try again',
  headers: {
    'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer', minimum: 0 } },
  },
};

type Json = Record<string, unknown>;
type Rename = (name: string) => string;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Rewrites every `$ref` to a component schema so it names the schema's merged name. */
function renameRefs(value: unknown, rename: Rename): unknown {
  if (Array.isArray(value)) return value.map((item) => renameRefs(item, rename));
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      key === '$ref' && typeof inner === 'string' && inner.startsWith(SCHEMA_REF)
        ? `${SCHEMA_REF}${rename(inner.slice(SCHEMA_REF.length))}`
        : renameRefs(inner, rename);
  }
  return out;
}

/**
 * Each schema's name in the merged document: a name whose every copy is the same schema (the
 * kit's `Problem`) is kept once as it is; others are prefixed with their service (each service
 * numbers its own `def-0`, ...).
 */
function mergedNames(owners: Map<string, Map<string, unknown>>): Map<string, Rename> {
  const copies = new Map<string, unknown[]>();
  for (const schemas of owners.values()) {
    for (const [name, schema] of schemas) copies.set(name, [...(copies.get(name) ?? []), schema]);
  }
  const shared = new Set(
    [...copies]
      .filter(([, all]) => all.every((schema) => isDeepStrictEqual(schema, all[0])))
      .map(([name]) => name),
  );
  return new Map(
    [...owners.keys()].map((owner) => [
      owner,
      (name: string) => (shared.has(name) ? name : `${owner}.${name}`),
    ]),
  );
}

/** The kit's problem+json schema, as a document names it (by its key, not its `$id`). */
function problem(): Json {
  const { $id, ...schema } = JSON.parse(JSON.stringify(ProblemSchema)) as Json;
  void $id;
  return schema;
}

/** The rate limit's 429 on every operation that does not document a 429 of its own. */
function withRateLimit(item: unknown, problemRef: string): unknown {
  if (!isObject(item)) return item;
  const out: Json = { ...item };
  for (const [method, operation] of Object.entries(item)) {
    if (!METHODS.has(method) || !isObject(operation)) continue;
    const responses = isObject(operation.responses) ? operation.responses : {};
    if ('429' in responses) continue;
    const rateLimited = {
      ...RATE_LIMITED,
      content: { 'application/problem+json': { schema: { $ref: problemRef } } },
    };
    out[method] = { ...operation, responses: { ...responses, 429: rateLimited } };
  }
  return out;
}

/** The public document's tags: the known groups in their order, then any other a service used. */
function mergedTags(used: Map<string, Tag>): Tag[] {
  const known = PUBLIC_TAGS.filter((tag) => used.has(tag.name));
  const others = [...used.values()].filter((tag) => !PUBLIC_TAGS.some((t) => t.name === tag.name));
  return [...known, ...others];
}

/** The tags named by the operations of these path items. */
function operationTags(items: unknown[], into: Map<string, Tag>): void {
  for (const item of items) {
    if (!isObject(item)) continue;
    for (const operation of Object.values(item)) {
      if (!isObject(operation) || !Array.isArray(operation.tags)) continue;
      for (const name of operation.tags) {
        if (typeof name === 'string' && !into.has(name)) into.set(name, { name });
      }
    }
  }
}

/**
 * One document for the public API: the `/api/` paths of every service, their component schemas
 * (prefixed with the service name where services differ), the gateway's own answers (429), and a
 * note naming the services whose document could not be fetched. Internal routes (`/internal/*`,
 * `/health`, `/metrics`, the services' own `/openapi.json`) are never in it.
 */
export function mergeOpenApi(parts: ServiceDocument[], version: string): OpenApiDocument {
  const missing = parts.filter((part) => !part.document).map((part) => part.service);
  const present = parts.flatMap(({ service, document }) =>
    document ? [{ service, document }] : [],
  );
  const owners = new Map<string, Map<string, unknown>>([
    [GATEWAY, new Map([['Problem', problem()]])],
  ]);
  for (const { service, document } of present) {
    owners.set(service, new Map(Object.entries(document.components?.schemas ?? {})));
  }
  const names = mergedNames(owners);
  const renameFor = (owner: string): Rename => names.get(owner) ?? ((name) => name);
  const problemRef = `${SCHEMA_REF}${renameFor(GATEWAY)('Problem')}`;

  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const tags = new Map<string, Tag>();
  for (const [owner, ownSchemas] of owners) {
    for (const [name, schema] of ownSchemas) {
      schemas[renameFor(owner)(name)] = renameRefs(schema, renameFor(owner));
    }
  }
  for (const { service, document } of present) {
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      if (!path.startsWith('/api/')) continue;
      paths[path] = withRateLimit(renameRefs(item, renameFor(service)), problemRef);
    }
    for (const tag of document.tags ?? []) tags.set(tag.name, tag);
  }
  operationTags(Object.values(paths), tags);
  const note = missing.length > 0 ? ` Not available right now: ${missing.join(', ')}.` : '';
  return {
    openapi: '3.1.0',
    info: {
      title: 'Marketplace API',
      version,
      description: `${DESCRIPTION}${note}`,
      license: LICENSE,
    },
    servers: [{ url: '/', description: 'This gateway' }],
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      schemas,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An access token from login, register or refresh; it expires within 15 minutes.',
        },
      },
    },
    ...(tags.size > 0 ? { tags: mergedTags(tags) } : {}),
    ...(missing.length > 0 ? { 'x-unavailable-services': missing } : {}),
  };
}
