import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  HookHandlerDoneFunction,
  onRequestHookHandler,
} from 'fastify';
import { Redis } from 'ioredis';
import { clientNetwork } from '@marketplace/service-kit';
import { GatewayErrors } from '../errors.ts';

export interface RateLimitOptions {
  /** Requests per minute per user (a verified token) or else per client network, over `/api`. */
  perMinute: number;
  /** Requests per minute per client network on each of login and register (passwords guessed). */
  authPerMinute: number;
  /** Requests per minute per client network on refresh (every page load of a signed-in user). */
  refreshPerMinute: number;
  /** Counters shared by every gateway instance; without it each counts alone. */
  shared?: SharedCounter;
}

/**
 * The routes with a tighter limit of their own, per client network whatever token is sent: where
 * passwords are guessed and accounts mass-created, and refresh, where tokens would be tried
 * (and every refresh is a database transaction and a signature at user-service). Refresh gets
 * more: a signed-in browser refreshes on every page load, and people share addresses.
 */
export const AUTH_LIMITED: readonly { url: string; perMinute: (o: RateLimitOptions) => number }[] =
  [
    { url: '/api/auth/login', perMinute: (o) => o.authPerMinute },
    { url: '/api/auth/register', perMinute: (o) => o.authPerMinute },
    { url: '/api/auth/refresh', perMinute: (o) => o.refreshPerMinute },
  ];

const WINDOW_MS = 60_000;

/** A route's own limit, in its `config`: counted per client network, apart from the rest. */
export interface RouteLimit {
  max: number;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    rateLimit?: RouteLimit;
  }
}

/** A caller with a verified token counts as themself; anyone else as their network. */
function callerKey(request: FastifyRequest): string {
  return request.user ? `user:${request.user.userId}` : `addr:${clientNetwork(request.ip)}`;
}

/** Where passwords are guessed, the address counts whatever token is sent. */
function addressKey(request: FastifyRequest): string {
  return `addr:${clientNetwork(request.ip)}`;
}

/** Adds one to a key's count in the current window and answers the count (maybe at once). */
type CountFn = (key: string, callback: (error: null, count: Count) => void) => void;

/**
 * The rate limit of `/api`: a fixed window of a minute, answered with the IETF draft's
 * RateLimit-Limit, -Remaining and -Reset on every answer and Retry-After on a 429. Registered on
 * the API's scope after `identifyCaller` (onRequest), so the caller's key is known: each route
 * gets its check appended to its own onRequest hooks, which run after the scope's. A route with
 * `config.rateLimit` (see {@link authRouteLimit}) counts per network under a key of its own.
 *
 * Our own callback hook rather than @fastify/rate-limit (whose headers, keys and store contract
 * it keeps): the plugin's async hook cost several promises per request even when counting in
 * memory.
 */
export function registerRateLimit(api: FastifyInstance, options: RateLimitOptions): Promise<void> {
  const { shared } = options;
  const counter = (route: string): CountFn => {
    if (shared) return (key, callback) => shared.incr(route + key, WINDOW_MS, callback);
    // Each limit counts alone, as the plugin's in-memory stores did (5,000 keys each).
    const local = new LocalCounter(5_000);
    return (key, callback) => callback(null, local.incr(key, WINDOW_MS));
  };
  const global = limitHook(options.perMinute, callerKey, counter(''));
  api.addHook('onRoute', (route) => {
    const own = route.config?.rateLimit;
    const hook = own
      ? limitHook(own.max, addressKey, counter(`${String(route.method)}${route.url}:`))
      : global;
    const hooks = route.onRequest;
    if (Array.isArray(hooks)) hooks.push(hook);
    else route.onRequest = hooks ? [hooks, hook] : [hook];
  });
  // A promise still, as when it registered the plugin: api.routes awaits it.
  return Promise.resolve();
}

function limitHook(
  max: number,
  keyOf: (request: FastifyRequest) => string,
  count: CountFn,
): onRequestHookHandler {
  const limit = String(max);
  return (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
    count(keyOf(request), (_error, { current, ttl }) => {
      const reset = Math.ceil(ttl / 1000);
      reply.header('ratelimit-limit', limit);
      if (current <= max) {
        reply.header('ratelimit-remaining', max - current);
        reply.header('ratelimit-reset', reset);
        done();
        return;
      }
      reply.header('ratelimit-remaining', 0);
      reply.header('ratelimit-reset', reset);
      reply.header('retry-after', reset);
      done(GatewayErrors.rateLimited(retryIn(reset)));
    });
  };
}

/** "30 seconds", "1 minute": how @lukeed/ms (the plugin's formatter) words a wait, long form. */
export function retryIn(seconds: number): string {
  if (seconds < 1) return `${seconds * 1000} ms`;
  const [value, unit] = seconds < 60 ? [seconds, 'second'] : [Math.round(seconds / 60), 'minute'];
  return `${value} ${unit}${value === 1 ? '' : 's'}`;
}

/** The per-route limit of a route in {@link AUTH_LIMITED}, for its route `config`. */
export function authRouteLimit(max: number): { rateLimit: RouteLimit } {
  return { rateLimit: { max } };
}

/** Counts in the window of `windowMs` (INCR, and the key's expiry set on its first count). */
const COUNT_SCRIPT = `
local current = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}
`;

interface CountingRedis extends Redis {
  gatewayCount(key: string, windowMs: number): Promise<[number, number]>;
}

export interface Count {
  current: number;
  ttl: number;
}

/** How long, after Redis failed, this instance counts alone before asking Redis again. */
const REDIS_BACKOFF_MS = 5_000;

/**
 * Counters in Redis shared by every gateway instance, and this instance's own counters for when
 * Redis cannot be reached: a Redis outage costs the limit its sharing (each instance counts
 * alone, as without Redis), never an answer. Commands fail fast (no offline queue, a short
 * timeout), so a request never waits for a Redis that is down or hung.
 */
export class SharedCounter {
  readonly #redis: CountingRedis;
  readonly #prefix: string;
  readonly #local = new LocalCounter(10_000);
  readonly #log: FastifyBaseLogger;
  #downUntil = 0;
  #warned = false;

  constructor(url: string, prefix: string, log: FastifyBaseLogger) {
    const redis = new Redis(url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 250,
      connectTimeout: 2_000,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    redis.defineCommand('gatewayCount', { numberOfKeys: 1, lua: COUNT_SCRIPT });
    redis.on('error', (error: Error) => this.#down(error));
    redis.on('ready', () => {
      if (this.#warned) this.#log.info('rate limit: Redis is back; counters are shared again');
      this.#warned = false;
      this.#downUntil = 0;
    });
    this.#redis = redis as CountingRedis;
    this.#prefix = prefix;
    this.#log = log;
  }

  /** 'redis' while counters are shared, 'memory (redis unreachable)' while this instance counts alone. */
  get state(): string {
    return this.#available() ? 'redis' : 'memory (redis unreachable)';
  }

  /** Adds one to `key`'s count in its window, in Redis when it answers, else here. */
  incr(key: string, windowMs: number, callback: (error: null, count: Count) => void): void {
    if (!this.#available()) {
      callback(null, this.#local.incr(key, windowMs));
      return;
    }
    this.#redis.gatewayCount(this.#prefix + key, windowMs).then(
      ([current, ttl]) => callback(null, { current, ttl }),
      (error: unknown) => {
        this.#down(error);
        callback(null, this.#local.incr(key, windowMs));
      },
    );
  }

  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  #available(): boolean {
    return this.#redis.status === 'ready' && Date.now() >= this.#downUntil;
  }

  #down(error: unknown): void {
    this.#downUntil = Date.now() + REDIS_BACKOFF_MS;
    if (this.#warned) return;
    this.#warned = true;
    this.#log.warn(
      { err: error },
      'rate limit: Redis unreachable; counting in this instance alone',
    );
  }
}

/** Fixed-window counters in memory, at most `size` keys (the oldest dropped first). */
export class LocalCounter {
  readonly #counts = new Map<string, { current: number; resetAt: number }>();

  constructor(readonly size: number) {}

  incr(key: string, windowMs: number): Count {
    const now = Date.now();
    let entry = this.#counts.get(key);
    if (!entry || entry.resetAt <= now) {
      this.#counts.delete(key);
      if (this.#counts.size >= this.size) {
        const oldest = this.#counts.keys().next();
        if (!oldest.done) this.#counts.delete(oldest.value);
      }
      entry = { current: 0, resetAt: now + windowMs };
      this.#counts.set(key, entry);
    }
    entry.current++;
    return { current: entry.current, ttl: entry.resetAt - now };
  }
}
