import type { FastifyInstance } from 'fastify';
import { mergeOpenApi, type OpenApiDocument } from '../docs/openapi-merge.ts';
import type { ServiceName } from '../proxy/route-table.ts';

const CACHE_MS = 60_000;
/** A document with a service missing is kept only briefly, so the gap closes soon. */
const PARTIAL_CACHE_MS = 5_000;

async function fetchDocument(baseUrl: string, timeoutMs: number): Promise<OpenApiDocument | null> {
  try {
    const response = await fetch(`${baseUrl.replace(/\/+$/, '')}/openapi.json`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) return null;
    return (await response.json()) as OpenApiDocument;
  } catch {
    return null;
  }
}

/** `GET /api/docs/openapi.json`: the one API document, merged from the services' own. */
export function registerDocsRoutes(
  app: FastifyInstance,
  upstreams: Record<ServiceName, string>,
  timeoutMs: number,
): void {
  let cached: { document: OpenApiDocument; expires: number } | undefined;

  app.get('/api/docs/openapi.json', { schema: { hide: true } }, async () => {
    if (cached && cached.expires > Date.now()) return cached.document;
    const parts = await Promise.all(
      Object.entries(upstreams).map(async ([service, url]) => ({
        service,
        document: await fetchDocument(url, timeoutMs),
      })),
    );
    const document = mergeOpenApi(parts, '1.0.0');
    const complete = parts.every((part) => part.document !== null);
    cached = { document, expires: Date.now() + (complete ? CACHE_MS : PARTIAL_CACHE_MS) };
    return document;
  });
}
