import type { FastifyInstance } from 'fastify';
import { mergeOpenApi, type OpenApiDocument } from '../docs/openapi-merge.ts';
import { DOCUMENT_PATH, swaggerUi } from '../docs/swagger-ui.ts';
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

/**
 * `GET /api/docs/openapi.json`: the one API document, merged from the services' own; and
 * `GET /api/docs`: Swagger UI over it. Both public and outside the `/api` rate limit (the
 * document is cached, and fetched once however many ask while it is being made).
 */
export function registerDocsRoutes(
  app: FastifyInstance,
  upstreams: Record<ServiceName, string>,
  timeoutMs: number,
): void {
  let cached: { document: OpenApiDocument; expires: number } | undefined;
  let merging: Promise<OpenApiDocument> | undefined;

  async function merge(): Promise<OpenApiDocument> {
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
  }

  app.get(DOCUMENT_PATH, { schema: { hide: true } }, async () => {
    if (cached && cached.expires > Date.now()) return cached.document;
    merging ??= merge().finally(() => {
      merging = undefined;
    });
    return merging;
  });
  // Not awaited, like any registration Fastify loads in order before the app is ready.
  void app.register(swaggerUi);
}
