import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyReplyFromHooks } from '@fastify/reply-from';
import {
  compressed,
  compressedInOneGo,
  etagOfCompressed,
  isCompressible,
  negotiateEncoding,
  ONE_GO_MAX_BYTES,
  readWhole,
  type Encoding,
} from './compression.ts';
import { forwardingFor } from './client-abort.ts';
import { isReadMethod, isUnsafePath, pathOf, type RouteTimeouts } from './route-table.ts';
import {
  classifyUpstreamError,
  countsAsFailure,
  isClientGone,
  isConnectionLost,
} from './upstream-errors.ts';
import type { Upstream } from './upstreams.ts';
import { mergeVary } from './vary.ts';
import { GatewayErrors } from '../errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The answer to this client while its request is forwarded (client-abort.ts). */
    clientResponse: ServerResponse | null;
  }
}

type Hooks = FastifyReplyFromHooks;
type Headers = Parameters<NonNullable<Hooks['rewriteRequestHeaders']>>[1];
type ProxiedRequest = Parameters<NonNullable<Hooks['rewriteRequestHeaders']>>[0];
type ProxiedReply = Parameters<NonNullable<Hooks['onError']>>[0];
type ResponseHeaders = Parameters<NonNullable<Hooks['rewriteHeaders']>>[0];
/** What reply-from hands `onResponse` (its type names the raw reply instead). */
interface UpstreamAnswer {
  statusCode: number;
  headers: AnswerHeaders;
  stream: Readable;
}

export interface ForwardOptions {
  upstream: Upstream;
  /** Per method class; none for the live stream (its pool's: headers only, no body timeout). */
  timeouts?: RouteTimeouts;
  /** Compress large JSON answers by Accept-Encoding (never the stream). */
  compress: boolean;
}

/** Headers the upstream sees: the client's, plus the request id and who really asked. */
function upstreamHeaders(request: ProxiedRequest, headers: Headers): Headers {
  // reply-from's own copy of the client's headers: changed in place.
  const out = headers as IncomingHttpHeaders;
  if (request.clientResponse) forwardingFor(out, request.clientResponse);
  // Only services may send this to each other; never let a client's copy through. (Deleted only
  // when there: a delete makes the object slower for everything after.)
  if (out['x-internal-token'] !== undefined) delete out['x-internal-token'];
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

/** Where `clientHeaders` keeps the upstream's Vary (a symbol: reply-from copies string keys only). */
const UPSTREAM_VARY = Symbol('upstream vary');
type AnswerHeaders = IncomingHttpHeaders & { [UPSTREAM_VARY]?: string | string[] };

/**
 * The upstream's headers as the client gets them (changed in place: they are the answer's own):
 * without its hop-by-hop headers (its Keep-Alive is about the gateway's connection to it), and
 * without Vary, which `onResponse` merges into the gateway's own rather than let it replace
 * them: CORS varies by Origin, and dropping that would let a cache hand one origin's answer
 * (with its Access-Control-Allow-Origin, or without one) to another.
 */
function clientHeaders(upstreamHeaders: ResponseHeaders): ResponseHeaders {
  const headers = upstreamHeaders as AnswerHeaders;
  delete headers.connection;
  delete headers['keep-alive'];
  if (headers.vary !== undefined) {
    headers[UPSTREAM_VARY] = headers.vary;
    delete headers.vary;
  }
  return headers;
}

function queryToken(request: ProxiedRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const token = query?.access_token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/** The query string without `access_token`, which travels upstream as a header instead. */
function queryWithoutToken(_search: string | undefined, url: string): string {
  const index = url.indexOf('?');
  if (index === -1) return '';
  const query = url.slice(index + 1);
  if (!query.includes('access_token')) return query;
  const params = new URLSearchParams(query);
  params.delete('access_token');
  return params.toString();
}

/**
 * A read whose connection broke before any answer (a keep-alive socket the service had just
 * closed) is sent once more; nothing else is: a write could happen twice (checkout has its own
 * Idempotency-Key for that), and a refused or timed-out read would only be slower the second time.
 */
function retryDelayFor(upstream: Upstream): NonNullable<Hooks['retryDelay']> {
  return ({ err, req, res, attempt }) => {
    const retry =
      attempt === 0 && res === undefined && isReadMethod(req.method) && isConnectionLost(err);
    if (!retry) return null;
    upstream.countRetry();
    // reply-from retries only on a truthy delay.
    return 1;
  };
}

/** The answer as it goes to the client, compressed when it is worth it; the circuit hears of it. */
function onResponseFor(options: ForwardOptions): NonNullable<Hooks['onResponse']> {
  const { circuit } = options.upstream;
  return (request, reply, res) => {
    const answer = res as unknown as UpstreamAnswer;
    const { headers } = answer;
    if (countsAsFailure(answer.statusCode, headers['content-type'])) circuit.recordFailure();
    else circuit.recordSuccess();
    const compressible =
      options.compress && isCompressible(request.method, answer.statusCode, headers);
    const upstreamVary = headers[UPSTREAM_VARY];
    if (upstreamVary !== undefined || compressible) {
      const own = reply.getHeader('vary');
      const extra = compressible ? 'Accept-Encoding' : undefined;
      // The common case, neither the gateway nor the service varying, without parsing anything.
      const vary =
        own === undefined && upstreamVary === undefined
          ? extra
          : mergeVary(own, upstreamVary, extra);
      if (vary !== undefined) reply.header('vary', vary);
    }
    const encoding = compressible
      ? negotiateEncoding(request.headers['accept-encoding'])
      : undefined;
    if (encoding === undefined) return void reply.send(answer.stream);
    sendCompressed(reply, answer, encoding, options.upstream);
  };
}

/** The answer compressed: in one go when its length is known and small, else as it streams. */
function sendCompressed(
  reply: ProxiedReply,
  answer: UpstreamAnswer,
  encoding: Encoding,
  upstream: Upstream,
): void {
  const { headers } = answer;
  const length =
    headers['content-length'] === undefined ? undefined : Number(headers['content-length']);
  reply.header('content-encoding', encoding);
  const etag = etagOfCompressed(headers.etag);
  if (etag !== undefined) reply.header('etag', etag);
  if (length === undefined || length > ONE_GO_MAX_BYTES) {
    reply.removeHeader('content-length');
    reply.send(compressed(answer.stream, encoding, length));
    return;
  }
  readWhole(answer.stream, length, (error, whole) => {
    // A client that went has no one to read the answer (its upstream request was aborted).
    if (reply.raw.destroyed) return;
    if (error || !whole) {
      // Nothing was sent yet: the broken answer can still be told as one.
      reply.removeHeader('content-encoding');
      reply.send(GatewayErrors.badGateway(upstream.name));
      return;
    }
    const body = compressedInOneGo(whole, encoding);
    reply.header('content-length', body.length);
    reply.send(body);
  });
}

function onErrorFor(upstream: Upstream): NonNullable<Hooks['onError']> {
  return (reply, { error }) => {
    if (isClientGone(error)) upstream.circuit.release();
    else upstream.circuit.recordFailure();
    // A client that went has no one to read an error (its upstream request was aborted).
    if (reply.raw.destroyed) return;
    reply.send(classifyUpstreamError(error, upstream.name));
  };
}

/**
 * A route handler that forwards the request, as it came, to the upstream, unless its circuit is
 * open. Everything that does not depend on the request is built here, once per route.
 */
export function forwardTo(options: ForwardOptions) {
  const { upstream } = options;
  const common: Hooks = {
    queryString: queryWithoutToken,
    rewriteRequestHeaders: upstreamHeaders,
    rewriteHeaders: clientHeaders,
    retryDelay: retryDelayFor(upstream),
    onResponse: onResponseFor(options),
    onError: onErrorFor(upstream),
  };
  const read: Hooks = options.timeouts ? { ...common, timeout: options.timeouts.read } : common;
  const write: Hooks = options.timeouts ? { ...common, timeout: options.timeouts.write } : common;
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const path = pathOf(request.url);
    if (isUnsafePath(path)) throw GatewayErrors.routeNotFound(request.method, path);
    if (!upstream.circuit.tryAcquire()) {
      upstream.countRefused();
      throw GatewayErrors.circuitOpen(upstream.name, upstream.circuit.retryAfterSeconds());
    }
    const hooks = isReadMethod(request.method) ? read : write;
    // For upstreamHeaders, which marks the upstream request as this client's (client-abort.ts).
    request.clientResponse = reply.raw;
    const url = upstream.base + path;
    const body = Buffer.isBuffer(request.body) ? request.body : undefined;
    if (body === undefined) return reply.from(url, hooks);
    // Bytes as received: the gateway does not parse or re-encode bodies.
    const contentType = request.headers['content-type'] ?? 'application/octet-stream';
    return reply.from(url, { ...hooks, body, contentType });
  };
}
