import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import replyFrom from '@fastify/reply-from';
import rateLimit from '@fastify/rate-limit';
import type { AccessTokenVerifier } from '@marketplace/jwt';
import { clientNetwork } from '@marketplace/service-kit';
import { edgeAuthentication } from '../auth/edge-auth.ts';
import { forwardTo } from '../proxy/forward.ts';
import { upstreamDispatcher } from '../proxy/client-abort.ts';
import { ROUTE_TABLE, STREAM_PATH, type ServiceName } from '../proxy/route-table.ts';
import { GatewayErrors } from '../errors.ts';

export interface ApiOptions {
  upstreams: Record<ServiceName, string>;
  verifier: AccessTokenVerifier;
  timeoutMs: number;
  ratePerMinute: number;
  authRatePerMinute: number;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const hidden = { hide: true };
/** Tight limits where passwords are guessed or accounts mass-created. */
const AUTH_LIMITED = ['/api/auth/login', '/api/auth/register'];

/**
 * `/api/*`: rate-limited per client network (an IPv4 address, an IPv6 /64), authenticated at
 * the edge, forwarded by prefix to the services. Bodies are passed on as bytes (up to the body
 * limit), never parsed here.
 */
export async function registerApiRoutes(app: FastifyInstance, options: ApiOptions): Promise<void> {
  await app.register(async (api) => {
    await api.register(rateLimit, {
      max: options.ratePerMinute,
      timeWindow: 60_000,
      // An IPv6 client by its /64: one subscriber commonly holds them all.
      keyGenerator: (request) => clientNetwork(request.ip),
      errorResponseBuilder: (_request, context) => GatewayErrors.rateLimited(context.after),
    });
    // After the rate limit (onRequest), before any body is read.
    api.addHook('preParsing', edgeAuthentication(options.verifier));
    api.removeAllContentTypeParsers();
    api.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body);
    });

    await api.register(async (proxied) => {
      await proxied.register(replyFrom, {
        undici: upstreamDispatcher({
          connectTimeout: Math.min(options.timeoutMs, 5_000),
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
        }),
        disableRequestLogging: true,
        destroyAgent: true,
      });
      registerProxiedRoutes(proxied, options);
    });
    await api.register(async (streamed) => registerStreamRoute(streamed, options));
  });
}

function registerProxiedRoutes(app: FastifyInstance, options: ApiOptions): void {
  const authLimit = { rateLimit: { max: options.authRatePerMinute, timeWindow: 60_000 } };
  for (const url of AUTH_LIMITED) {
    app.route({
      method: 'POST',
      url,
      schema: hidden,
      config: authLimit,
      handler: forwardTo('user', options.upstreams.user),
    });
  }
  for (const { prefix, service } of ROUTE_TABLE) {
    const handler = forwardTo(service, options.upstreams[service]);
    app.route({ method: METHODS, url: prefix, schema: hidden, handler });
    app.route({ method: METHODS, url: `${prefix}/*`, schema: hidden, handler });
  }
}

/** The live notification stream: no body timeout, and ended when the gateway shuts down. */
async function registerStreamRoute(app: FastifyInstance, options: ApiOptions): Promise<void> {
  await app.register(replyFrom, {
    undici: upstreamDispatcher({
      connectTimeout: Math.min(options.timeoutMs, 5_000),
      headersTimeout: options.timeoutMs,
      bodyTimeout: 0,
      // A stream holds its connection for its whole life: a cap would leave the streams past it
      // waiting, without headers, for one to end. notification-service caps streams itself.
      connections: null,
    }),
    disableRequestLogging: true,
    destroyAgent: true,
  });
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const response of open) response.destroy();
  });
  const forward = forwardTo('notification', options.upstreams.notification);
  app.get(STREAM_PATH, { schema: hidden }, async (request, reply) => {
    open.add(reply.raw);
    reply.raw.once('close', () => open.delete(reply.raw));
    return forward(request, reply);
  });
}
