import type { FastifyRequest } from 'fastify';

// Browsers' EventSource cannot set headers, so SSE tokens may travel in the query string.
const SECRET_QUERY = /([?&](?:access_token|token)=)[^&#]*/gi;

/** Fastify's request log fields, with secrets in the query string redacted. */
function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: request.url.replace(SECRET_QUERY, '$1[redacted]'),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** The pino options of every service: JSON with a `service` field, secrets redacted. */
export function loggerOptions(service: string, level = 'info') {
  return {
    level,
    base: { service },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-internal-token"]',
        '*.password',
        '*.refreshToken',
        '*.accessToken',
      ],
      censor: '[redacted]',
    },
    serializers: { req: serializeRequest },
  };
}
