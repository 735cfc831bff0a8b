import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

// Browsers' EventSource cannot set headers, so SSE tokens may travel in the query string.
const SECRET_QUERY = /([?&](?:access_token|token)=)[^&#]*/gi;

function redactedUrl(url: string): string {
  return url.includes('token=') ? url.replace(SECRET_QUERY, '$1[redacted]') : url;
}

/** Fastify's request log fields, with secrets in the query string redacted. */
function serializeRequest(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactedUrl(request.url),
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

/**
 * One log line per request, when it completes (method, URL, status, time in ms, client address,
 * request id), of flat fields; Fastify's own "incoming request" line is dropped. Per request and
 * per hop, logging was the largest part of the fixed cost: two lines, each through the req/res
 * serializers and the redaction of nested paths.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    const fields = {
      method: request.method,
      url: redactedUrl(request.url),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      client: request.ip,
    };
    if (error) reply.log.error({ ...fields, err: error }, 'request errored');
    else reply.log.info(fields, 'request completed');
  }
}
