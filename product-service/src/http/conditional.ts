import { hash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';

/** The caching policies a public GET route picks with `config: { cache: '<name>' }`. */
export type CachePolicyName = 'listing' | 'product' | 'seller' | 'categories';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Cache-Control, ETag and If-None-Match → 304 for this GET route (registerConditionalGet). */
    cache?: CachePolicyName;
  }
}

/**
 * Stock and prices move every minute, so listings, products and seller pages may be kept by any
 * cache (`public`) but must be revalidated on every use (`no-cache`): a revalidation is a 304
 * without a body when nothing changed. The category tree changes rarely: a minute fresh, then
 * served stale for up to five while a cache refetches it in the background.
 */
export const CACHE_POLICIES: Readonly<Record<CachePolicyName, string>> = {
  listing: 'public, no-cache',
  product: 'public, no-cache',
  seller: 'public, no-cache',
  categories: 'public, max-age=60, stale-while-revalidate=300',
};

/** Errors and misses (a 404 for a product not yet public) must not be kept by any cache. */
const NOT_CACHEABLE = 'no-store';
/** A handler's own Cache-Control that marks the answer as someone's: no shared ETag, no 304. */
const PERSONAL = /(?:^|[\s,])(?:private|no-store)(?:$|[\s,=])/i;

/**
 * A weak validator for a serialized body: `W/"<base64url sha1>"`. Weak because it names the
 * content, not the bytes on the wire (a compressing proxy keeps it valid). sha1 is the fastest
 * hash node:crypto has here (about 20 µs for 20 KB, less than md5 or a hash written in JS); it
 * only has to change when the content does.
 */
export function weakEtag(body: string | Buffer): string {
  return `W/"${hash('sha1', body, 'base64url')}"`;
}

/** A response body serialized once, with its validator: what a handler may cache and resend. */
export interface SerializedBody {
  bytes: Buffer;
  etag: string;
}

/**
 * Freezes a JSON body for reuse. Serialize with `reply.serialize(value)` so the route's response
 * schema applies (it drops fields the contract does not have), then cache the result.
 */
export function serializedBody(json: string | Buffer | ArrayBuffer): SerializedBody {
  const bytes =
    typeof json === 'string'
      ? Buffer.from(json, 'utf8')
      : Buffer.isBuffer(json)
        ? json
        : Buffer.from(json);
  return { bytes, etag: weakEtag(bytes) };
}

/**
 * Sends a body serialized earlier: no serialization and no hashing on a cache hit, and the
 * If-None-Match check still runs against its ETag.
 */
export function preSerialized(reply: FastifyReply, body: SerializedBody): FastifyReply {
  return reply.header('etag', body.etag).type('application/json; charset=utf-8').send(body.bytes);
}

const ENTITY_TAG = /(?:W\/)?"([\x21\x23-\x7e\x80-\xff]*)"/y;

/**
 * Whether an If-None-Match value matches `etag` by weak comparison (RFC 9110 13.1.2): `*`, or a
 * list of entity tags of which one has the same opaque tag (which may hold a comma). A malformed
 * value matches nothing, so the answer is a full one (the header is ignored).
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const wanted = opaqueTag(etag);
  let at = 0;
  for (;;) {
    // Empty list elements (", ,") are allowed by the list syntax.
    while (at < header.length && ' \t,'.includes(header.charAt(at))) at++;
    if (at >= header.length) return false;
    ENTITY_TAG.lastIndex = at;
    const match = ENTITY_TAG.exec(header);
    if (match === null) return false;
    if (match[1] === wanted) return true;
    at = ENTITY_TAG.lastIndex;
    while (at < header.length && ' \t'.includes(header.charAt(at))) at++;
    if (at < header.length && header.charAt(at) !== ',') return false;
  }
}

function opaqueTag(etag: string): string {
  const start = etag.startsWith('W/') ? 3 : 1;
  return etag.slice(start, -1);
}

export interface ConditionalGetOptions {
  /** Overrides of CACHE_POLICIES' Cache-Control values. */
  policies?: Partial<Record<CachePolicyName, string>>;
}

/**
 * Caching headers and conditional GET for the routes that name a policy in `config.cache`.
 * Register on the root instance before the routes. A handler keeps control: a Cache-Control it
 * sets is kept, and one with `private` or `no-store` gets no ETag and no 304; an ETag it sets
 * (a cached body's, see preSerialized) is used instead of hashing the payload.
 */
export function registerConditionalGet(
  app: FastifyInstance,
  options: ConditionalGetOptions = {},
): void {
  const policies: Record<CachePolicyName, string> = { ...CACHE_POLICIES, ...options.policies };
  app.addHook('onRoute', (route: RouteOptions) => {
    const name = route.config?.cache;
    if (name !== undefined && !Object.hasOwn(policies, name)) {
      throw new Error(`route ${route.url}: unknown cache policy "${String(name)}"`);
    }
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const name = request.routeOptions.config.cache;
    if (name === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) {
      done(null, payload);
      return;
    }
    done(null, conditional(request, reply, payload, policies[name]));
  });
}

/** The payload to send: the body (as bytes once hashed), or none for a 304. */
function conditional(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  policy: string,
): unknown {
  const own = reply.getHeader('cache-control');
  // A handler's own 304 must carry the Cache-Control its 200 would have (RFC 9110 15.4.5).
  if (reply.statusCode === 304) {
    if (own === undefined) reply.header('cache-control', policy);
    return payload;
  }
  if (reply.statusCode !== 200) {
    if (own === undefined) reply.header('cache-control', NOT_CACHEABLE);
    return payload;
  }
  if (own === undefined) reply.header('cache-control', policy);
  else if (PERSONAL.test(String(own))) return payload;

  const { etag, body } = validated(reply, payload);
  if (etag === undefined) return body;
  if (!ifNoneMatchMatches(request.headers['if-none-match'], etag)) return body;
  // 304: the 200's Cache-Control, ETag and Vary stay; the representation's metadata goes.
  reply.code(304);
  reply.removeHeader('content-type');
  reply.removeHeader('content-length');
  // A HEAD route's own onSend hook runs next and needs the payload (it drops it and sizes the
  // answer, which RFC 9110 allows on a 304).
  return request.method === 'HEAD' ? body : null;
}

/**
 * The reply's ETag, the handler's or one hashed from the payload, and the payload to send. A
 * string is encoded once here and sent as those bytes: hashing the string would encode it, and
 * so would writing it (a third of the cost for a 20 KB body with non-ASCII text).
 */
function validated(reply: FastifyReply, payload: unknown): { etag?: string; body: unknown } {
  const own = reply.getHeader('etag');
  if (typeof own === 'string') return { etag: own, body: payload };
  // A stream is not hashed: it would have to be buffered first.
  if (typeof payload !== 'string' && !Buffer.isBuffer(payload)) return { body: payload };
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const etag = weakEtag(body);
  reply.header('etag', etag);
  return { etag, body };
}
