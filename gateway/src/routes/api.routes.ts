import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { AccessTokenVerifier } from '@marketplace/jwt';
import { identifyCaller, requireAuthentication } from '../auth/edge-auth.ts';
import {
  AUTH_LIMITED,
  authRouteLimit,
  registerRateLimit,
  type RateLimitOptions,
} from '../edge/rate-limit.ts';
import { forwardTo } from '../proxy/forward.ts';
import { ROUTE_TABLE, routeTimeouts, STREAM_PATH } from '../proxy/route-table.ts';
import type { Upstream, Upstreams } from '../proxy/upstreams.ts';

export interface ApiOptions {
  upstreams: Upstreams;
  verifier: AccessTokenVerifier;
  /** UPSTREAM_TIMEOUT_MS: caps every route's timeouts. */
  timeoutCapMs: number;
  rateLimit: RateLimitOptions;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const hidden = { hide: true };

/**
 * `/api/*`: the caller identified by their token, rate-limited (per user, else per client
 * network), refused without a valid token where one is needed, then forwarded by prefix to the
 * services, each through its own keep-alive pool and circuit. Bodies are passed on as bytes (up
 * to the body limit), never parsed here.
 */
export async function registerApiRoutes(app: FastifyInstance, options: ApiOptions): Promise<void> {
  await app.register(async (api) => {
    api.decorateRequest('edgeAuthError', null);
    // The scope's onRequest runs before the routes' own, where the rate limit sits.
    api.addHook('onRequest', identifyCaller(options.verifier));
    await registerRateLimit(api, options.rateLimit);
    // After the rate limit (onRequest), before any body is read.
    api.addHook('preParsing', requireAuthentication);
    api.removeAllContentTypeParsers();
    api.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body);
    });

    for (const upstream of Object.values(options.upstreams)) {
      registerServiceRoutes(api, upstream, options);
    }
    registerStreamRoute(api, options.upstreams);
  });
  // Their requests are forwarded by the routes above; nothing else uses them.
  app.addHook('onClose', async () => {
    const pools = Object.values(options.upstreams).flatMap((u) => [u.pool, u.streamPool]);
    await Promise.all(pools.map((pool) => pool.destroy()));
  });
}

/** The routes of one service: its prefixes from the route table, each with its timeouts. */
function registerServiceRoutes(app: FastifyInstance, upstream: Upstream, options: ApiOptions) {
  for (const route of ROUTE_TABLE) {
    if (route.service !== upstream.name) continue;
    const timeouts = routeTimeouts(route, options.timeoutCapMs);
    const handler = forwardTo({ upstream, timeouts, compress: true });
    app.route({ method: METHODS, url: route.prefix, schema: hidden, handler });
    app.route({ method: METHODS, url: `${route.prefix}/*`, schema: hidden, handler });
    if (route.prefix !== '/api/auth') continue;
    for (const { url, perMinute } of AUTH_LIMITED) {
      const config = authRouteLimit(perMinute(options.rateLimit));
      app.route({ method: 'POST', url, schema: hidden, config, handler });
    }
  }
}

/**
 * The live notification stream: its own pool (no connection cap, no body timeout), a timeout
 * on its headers only, never compressed (events pass one by one), ended when the gateway shuts
 * down.
 */
function registerStreamRoute(app: FastifyInstance, upstreams: Upstreams): void {
  const upstream = upstreams.notification;
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const response of open) response.destroy();
  });
  const forward = forwardTo({ upstream, compress: false, stream: true });
  app.get(STREAM_PATH, { schema: hidden }, (request, reply) => {
    open.add(reply.raw);
    reply.raw.once('close', () => open.delete(reply.raw));
    forward(request, reply);
  });
}
