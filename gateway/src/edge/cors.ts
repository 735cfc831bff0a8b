import type { FastifyInstance } from 'fastify';
import cors from '@fastify/cors';

/** What a browser on an allowed origin may send: the API's request headers. */
const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'X-Request-Id',
  // user-service's opt-in to the refresh cookie.
  'X-Session-Transport',
  // Conditional requests: a write guarded by the ETag it read, a revalidation made by a script.
  'If-Match',
  'If-None-Match',
];
/** What its scripts may read besides the CORS-safelisted headers (ETag, to send back in If-Match). */
const EXPOSED_HEADERS = ['X-Request-Id', 'Retry-After', 'Location', 'ETag'];

/** The origins of a comma-separated CORS_ORIGINS value. */
export function parseOrigins(value: string): string[] {
  return value
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
}

/**
 * Cross-origin access for the listed origins only, with credentials. With no origin listed the
 * plugin is not registered: same-origin only, no CORS header ever. A request from an origin not
 * listed gets no CORS header either (not even on a preflight), so the browser refuses it.
 */
export async function registerCors(app: FastifyInstance, origins: string[]): Promise<void> {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  await app.register(cors, {
    origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
  });
}
