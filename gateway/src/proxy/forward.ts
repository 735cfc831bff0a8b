import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyReplyFromHooks } from '@fastify/reply-from';
import { isUnsafePath, pathOf, type ServiceName } from './route-table.ts';
import { sendUpstreamError } from './upstream-errors.ts';
import { forwardingFor } from './client-abort.ts';
import { mergeVary } from './vary.ts';
import { GatewayErrors } from '../errors.ts';

type Headers = Parameters<NonNullable<FastifyReplyFromHooks['rewriteRequestHeaders']>>[1];
type ResponseHeaders = Parameters<NonNullable<FastifyReplyFromHooks['rewriteHeaders']>>[0];

/** Headers the upstream sees: the client's, plus the request id and who really asked. */
function upstreamHeaders(request: FastifyRequest, headers: Headers): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...(headers as IncomingHttpHeaders) };
  // Only services may send this to each other; never let a client's copy through.
  delete out['x-internal-token'];
  out['x-request-id'] = request.id;
  // Replaced, not appended: the client's own X-Forwarded-For is not to be trusted.
  out['x-forwarded-for'] = request.ip;
  out['x-forwarded-proto'] = request.protocol;
  out['x-forwarded-host'] = request.host;
  if (!out.authorization) {
    const token = queryToken(request);
    if (token) out.authorization = `Bearer ${token}`;
  }
  return out;
}

/**
 * Headers the client sees: the upstream's, with its Vary added to the gateway's own rather than
 * put in its place. CORS varies by Origin; dropping that would let a cache hand one origin's answer
 * (with its Access-Control-Allow-Origin, or without one) to another.
 */
function clientHeaders(reply: FastifyReply, headers: ResponseHeaders): ResponseHeaders {
  const own = reply.getHeader('vary');
  if (own === undefined || headers.vary === undefined) return headers;
  return { ...headers, vary: mergeVary(own, headers.vary) };
}

function queryToken(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const token = query?.access_token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/** The query string without `access_token`, which travels upstream as a header instead. */
function queryWithoutToken(_search: string | undefined, url: string): string {
  const index = url.indexOf('?');
  if (index === -1) return '';
  const params = new URLSearchParams(url.slice(index + 1));
  params.delete('access_token');
  return params.toString();
}

/** A route handler that forwards the request, as it came, to `service` at `baseUrl`. */
export function forwardTo(service: ServiceName, baseUrl: string) {
  const base = baseUrl.replace(/\/+$/, '');
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const path = pathOf(request.url);
    if (isUnsafePath(path)) throw GatewayErrors.routeNotFound(request.method, path);
    const body = Buffer.isBuffer(request.body) ? request.body : undefined;
    return forwardingFor(reply.raw, () =>
      reply.from(`${base}${path}`, {
        // Bytes as received: the gateway does not parse or re-encode bodies.
        ...(body
          ? { body, contentType: request.headers['content-type'] ?? 'application/octet-stream' }
          : {}),
        queryString: queryWithoutToken,
        rewriteRequestHeaders: (_req, headers) => upstreamHeaders(request, headers),
        rewriteHeaders: (headers) => clientHeaders(reply, headers),
        // A retry could repeat a side effect, and a 503 is the client's to retry.
        retryDelay: () => null,
        onError: (_reply, { error }) => {
          // A client that went has no one to read an error (its upstream request was aborted).
          if (reply.raw.destroyed) return;
          sendUpstreamError(reply, error, service);
        },
      }),
    );
  };
}
