import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Dispatcher } from 'undici';
import {
  compressed,
  compressedInOneGo,
  etagOfCompressed,
  isCompressible,
  negotiateEncoding,
} from './compression.ts';
import { isReadMethod, isUnsafePath, pathOf, type RouteTimeouts } from './route-table.ts';
import { classifyUpstreamError, countsAsFailure, isClientGone } from './upstream-errors.ts';
import { UpstreamExchange, type ExchangeEvents, type UpstreamAnswer } from './upstream-exchange.ts';
import type { Upstream } from './upstreams.ts';
import { mergeVary } from './vary.ts';
import { GatewayErrors } from '../errors.ts';

export interface ForwardOptions {
  upstream: Upstream;
  /** Per method class; none for the live stream (its pool's: headers only, no body timeout). */
  timeouts?: RouteTimeouts;
  /** Compress large JSON answers by Accept-Encoding (never the stream). */
  compress: boolean;
  /** The live stream: over the upstream's stream pool, its answer streamed as it comes. */
  stream?: boolean;
}

/**
 * Client headers the upstream never sees: hop-by-hop ones (RFC 9110 7.6.1: about the client's
 * connection to the gateway; undici refuses some of them outright), those undici sets from the
 * request itself (host, content-length), x-internal-token (only services may send it to each
 * other), and those the gateway sets below (the client's own X-Forwarded-For is not to be
 * trusted: replaced, not appended).
 */
const NOT_FORWARDED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
  'host',
  'content-length',
  'x-internal-token',
  'x-request-id',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'authorization',
]);

/**
 * Answer headers the client never gets: hop-by-hop ones (the service's Keep-Alive is about the
 * gateway's connection to it), and Vary, which is merged into the gateway's own rather than let
 * replace them: CORS varies by Origin, and dropping that would let a cache hand one origin's
 * answer (with its Access-Control-Allow-Origin, or without one) to another.
 */
const NOT_RETURNED = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'vary',
]);

/** The header names a Connection header lists (hop-by-hop too); none for the usual values. */
function connectionListed(value: string | string[] | undefined): Set<string> | undefined {
  if (value === undefined || value === 'keep-alive' || value === 'close') return undefined;
  const names = (Array.isArray(value) ? value.join(',') : value).toLowerCase().split(',');
  return new Set(names.map((name) => name.trim()));
}

function queryToken(request: FastifyRequest): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const token = query?.access_token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/** Headers the upstream sees (flat name/value pairs): the client's, plus the request id and who really asked. */
function upstreamHeaders(request: FastifyRequest, withBody: boolean): string[] {
  const incoming = request.headers;
  const listed = connectionListed(incoming.connection);
  const out: string[] = [];
  for (const name of Object.keys(incoming)) {
    if (NOT_FORWARDED.has(name) || listed?.has(name)) continue;
    const value = incoming[name];
    if (typeof value === 'string') out.push(name, value);
    else if (value !== undefined) for (const one of value) out.push(name, one);
  }
  out.push(
    'x-request-id',
    request.id,
    'x-forwarded-for',
    request.ip,
    'x-forwarded-proto',
    request.protocol,
    'x-forwarded-host',
    request.host,
  );
  // The live stream's EventSource cannot send headers: its token comes in the query.
  const token = incoming.authorization ? undefined : queryToken(request);
  const authorization = token === undefined ? incoming.authorization : `Bearer ${token}`;
  if (authorization) out.push('authorization', authorization);
  if (withBody && incoming['content-type'] === undefined) {
    out.push('content-type', 'application/octet-stream');
  }
  return out;
}

/** The path and query for the upstream; `access_token` travels as a header instead. */
function upstreamPath(prefix: string, url: string): string {
  const index = url.indexOf('?');
  if (index === -1) return prefix + url;
  const path = url.slice(0, index);
  let query = url.slice(index + 1);
  if (query.includes('access_token')) {
    const params = new URLSearchParams(query);
    params.delete('access_token');
    query = params.toString();
  }
  return query === '' ? prefix + path : `${prefix}${path}?${query}`;
}

/** Copies the answer's headers and status onto the reply; false when the status cannot be sent. */
function copyAnswer(
  reply: FastifyReply,
  statusCode: number,
  headers: IncomingHttpHeaders,
): boolean {
  if (statusCode < 200 || statusCode > 599) return false;
  const listed = connectionListed(headers.connection);
  for (const name of Object.keys(headers)) {
    if (NOT_RETURNED.has(name) || listed?.has(name)) continue;
    const value = headers[name];
    if (value !== undefined) reply.header(name, value);
  }
  reply.code(statusCode);
  // An HTTP/1 connection cannot be reused until its request body has been read.
  if (!reply.request.raw.complete) reply.header('connection', 'close');
  return true;
}

/** What happens to one route's exchanges: built once per route, shared by its requests. */
function eventsFor(options: ForwardOptions): ExchangeEvents {
  const { upstream } = options;
  const { circuit } = upstream;
  const badGateway = (request: FastifyRequest, reply: FastifyReply, error: Error) => {
    if (reply.raw.destroyed) return;
    request.log.warn({ err: error, upstream: upstream.name }, 'upstream answer broke off');
    reply.send(GatewayErrors.badGateway(upstream.name));
  };
  return {
    onHeaders(statusCode, headers) {
      if (countsAsFailure(statusCode, headers['content-type'])) circuit.recordFailure();
      else circuit.recordSuccess();
    },
    onAnswer(request, reply, answer) {
      if (reply.raw.destroyed) return;
      if (!copyAnswer(reply, answer.statusCode, answer.headers)) {
        if (typeof answer.body === 'object' && !Buffer.isBuffer(answer.body)) answer.body.destroy();
        badGateway(request, reply, new Error(`invalid status ${answer.statusCode}`));
        return;
      }
      sendBody(request, reply, answer, options);
    },
    onBrokenAnswer: badGateway,
    onFailure(request, reply, error) {
      if (isClientGone(error)) return circuit.release();
      circuit.recordFailure();
      // A client that went has no one to read an error.
      if (reply.raw.destroyed) return;
      request.log.warn({ err: error, upstream: upstream.name }, 'upstream request failed');
      reply.send(classifyUpstreamError(error, upstream.name));
    },
    onRetry: () => upstream.countRetry(),
  };
}

/** The answer's body as it goes to the client, compressed when it is worth it, Vary merged. */
function sendBody(
  request: FastifyRequest,
  reply: FastifyReply,
  answer: UpstreamAnswer,
  options: ForwardOptions,
): void {
  const { headers, body } = answer;
  const compressible =
    options.compress &&
    body !== undefined &&
    isCompressible(request.method, answer.statusCode, headers);
  const upstreamVary = headers.vary;
  if (upstreamVary !== undefined || compressible) {
    const own = reply.getHeader('vary');
    const extra = compressible ? 'Accept-Encoding' : undefined;
    // The common case, neither the gateway nor the service varying, without parsing anything.
    const vary =
      own === undefined && upstreamVary === undefined ? extra : mergeVary(own, upstreamVary, extra);
    if (vary !== undefined) reply.header('vary', vary);
  }
  const encoding = compressible ? negotiateEncoding(request.headers['accept-encoding']) : undefined;
  if (encoding === undefined || body === undefined) return void reply.send(body);
  reply.header('content-encoding', encoding);
  const etag = etagOfCompressed(headers.etag);
  if (etag !== undefined) reply.header('etag', etag);
  if (Buffer.isBuffer(body)) {
    const whole = compressedInOneGo(body, encoding);
    reply.header('content-length', whole.length);
    return void reply.send(whole);
  }
  const length = headers['content-length'];
  reply.removeHeader('content-length');
  reply.send(compressed(body, encoding, length === undefined ? undefined : Number(length)));
}

/**
 * A route handler that forwards the request, as it came, to the upstream over its keep-alive
 * pool, unless its circuit is open. Everything that does not depend on the request is built
 * here, once per route.
 */
export function forwardTo(options: ForwardOptions) {
  const { upstream, timeouts } = options;
  const pool: Dispatcher = options.stream ? upstream.streamPool : upstream.pool;
  const prefix = new URL(upstream.base).pathname.replace(/\/+$/, '');
  const events = eventsFor(options);
  // A sync handler: Fastify waits for reply.send, and no promise is made per request.
  return (request: FastifyRequest, reply: FastifyReply): void => {
    const path = pathOf(request.url);
    if (isUnsafePath(path)) throw GatewayErrors.routeNotFound(request.method, path);
    if (!upstream.circuit.tryAcquire()) {
      upstream.countRefused();
      throw GatewayErrors.circuitOpen(upstream.name, upstream.circuit.retryAfterSeconds());
    }
    // Bytes as received: the gateway does not parse or re-encode bodies.
    const body = Buffer.isBuffer(request.body) ? request.body : null;
    const dispatch: Dispatcher.DispatchOptions = {
      path: upstreamPath(prefix, request.url),
      method: request.method,
      headers: upstreamHeaders(request, body !== null),
      body,
    };
    if (timeouts) {
      const timeout = isReadMethod(request.method) ? timeouts.read : timeouts.write;
      dispatch.headersTimeout = timeout;
      dispatch.bodyTimeout = timeout;
    }
    new UpstreamExchange(pool, dispatch, request, reply, events, options.stream === true).start();
  };
}
