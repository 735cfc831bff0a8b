/** The parts of an OpenAPI 3 document the merge touches. */
export interface OpenApiDocument {
  openapi?: string;
  info?: { title?: string; version?: string; description?: string };
  paths?: Record<string, unknown>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
  tags?: { name: string }[];
  [key: string]: unknown;
}

export interface ServiceDocument {
  service: string;
  document: OpenApiDocument | null;
}

const SCHEMA_REF = '#/components/schemas/';

/** Rewrites every `$ref` to a component schema so it names the service's renamed copy. */
function renameRefs(value: unknown, prefix: string): unknown {
  if (Array.isArray(value)) return value.map((item) => renameRefs(item, prefix));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] =
      key === '$ref' && typeof inner === 'string' && inner.startsWith(SCHEMA_REF)
        ? `${SCHEMA_REF}${prefix}${inner.slice(SCHEMA_REF.length)}`
        : renameRefs(inner, prefix);
  }
  return out;
}

/**
 * One document for the public API: the `/api/` paths of every service, their component schemas
 * prefixed with the service name (each service numbers its own `def-0`, ...), and a note naming
 * the services whose document could not be fetched.
 */
export function mergeOpenApi(parts: ServiceDocument[], version: string): OpenApiDocument {
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  const tags = new Map<string, { name: string }>();
  const missing: string[] = [];
  for (const { service, document } of parts) {
    if (!document) {
      missing.push(service);
      continue;
    }
    const prefix = `${service}.`;
    for (const [path, item] of Object.entries(document.paths ?? {})) {
      if (path.startsWith('/api/')) paths[path] = renameRefs(item, prefix);
    }
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
      schemas[`${prefix}${name}`] = renameRefs(schema, prefix);
    }
    for (const tag of document.tags ?? []) tags.set(tag.name, tag);
  }
  const note = missing.length > 0 ? ` Not available right now: ${missing.join(', ')}.` : '';
  return {
    openapi: '3.1.0',
    info: {
      title: 'Marketplace API',
      version,
      description: `The public API, as served through the gateway.${note}`,
    },
    servers: [{ url: '/' }],
    paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    },
    ...(tags.size > 0 ? { tags: [...tags.values()] } : {}),
    ...(missing.length > 0 ? { 'x-unavailable-services': missing } : {}),
  };
}
