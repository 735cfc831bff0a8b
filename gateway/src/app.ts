import {
  createAccessTokenVerifier,
  createRemoteKeySet,
  type AccessTokenVerifier,
} from '@marketplace/jwt';
import { createServiceApp, type ServiceApp } from '@marketplace/service-kit';
import type { Config } from './config.ts';
import { parseOrigins, registerCors } from './edge/cors.ts';
import { registerOpsListener, type OpsListener } from './edge/ops-listener.ts';
import { SharedCounter } from './edge/rate-limit.ts';
import { registerReadinessDetails, TokenKeysReadiness } from './edge/readiness.ts';
import { registerSecurityHeaders } from './edge/security-headers.ts';
import { STREAM_HEADERS_TIMEOUT_MS, type ServiceName } from './proxy/route-table.ts';
import { createUpstreams } from './proxy/upstreams.ts';
import { registerApiRoutes } from './routes/api.routes.ts';
import { registerDocsRoutes } from './routes/docs.routes.ts';
import { registerFrontendRoutes } from './routes/frontend.routes.ts';

export interface AppDeps {
  /** Tests pass `createTestTokens().verifier`; otherwise the JWKS at JWKS_URL is used. */
  verifier?: AccessTokenVerifier;
  /** `false` silences logs (tests). */
  logger?: boolean;
}

/** The gateway: the one public entry (API routing, edge auth, limits) and the SPA's host. */
export async function buildApp(
  config: Config,
  deps: AppDeps = {},
): Promise<{ app: ServiceApp; ops: OpsListener }> {
  // One key set for the verifier and for /ready, which refreshes it.
  const keys = createRemoteKeySet(new URL(config.JWKS_URL));
  const tokenKeys = new TokenKeysReadiness(keys);
  const app = await createServiceApp({
    name: 'gateway',
    description: 'The public entry; the API document is at /api/docs/openapi.json.',
    config,
    logger: deps.logger,
    readiness: { jwks: tokenKeys.check },
  });
  // Before any route of the gateway's own, so each one gets the headers and the checks.
  registerSecurityHeaders(app, { hstsMaxAge: config.HSTS_MAX_AGE });
  await registerCors(app, parseOrigins(config.CORS_ORIGINS));
  const ops = registerOpsListener(app, { host: config.OPS_HOST, port: config.OPS_PORT });
  const verifier =
    deps.verifier ??
    createAccessTokenVerifier({
      jwks: keys,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    });
  const urls: Record<ServiceName, string> = {
    user: config.USER_SERVICE_URL,
    product: config.PRODUCT_SERVICE_URL,
    order: config.ORDER_SERVICE_URL,
    notification: config.NOTIFICATION_SERVICE_URL,
  };
  const upstreams = createUpstreams({
    urls,
    failureThreshold: config.CIRCUIT_FAILURE_THRESHOLD,
    openMs: config.CIRCUIT_OPEN_MS,
    streamHeadersTimeoutMs: Math.min(STREAM_HEADERS_TIMEOUT_MS, config.UPSTREAM_TIMEOUT_MS),
    connectTimeoutMs: Math.min(config.UPSTREAM_TIMEOUT_MS, 5_000),
    log: app.log,
    metrics: app.metrics,
  });
  // No Redis client at all without REDIS_URL: the plugin's own in-memory store then.
  const shared =
    config.REDIS_URL === ''
      ? undefined
      : new SharedCounter(config.REDIS_URL, config.RATE_LIMIT_KEY_PREFIX, app.log);
  if (shared) app.addHook('onClose', () => shared.close());
  registerReadinessDetails(app, {
    upstreams,
    tokenKeys,
    rateLimitStore: () => shared?.state ?? 'memory',
  });

  await registerApiRoutes(app, {
    upstreams,
    verifier,
    timeoutCapMs: config.UPSTREAM_TIMEOUT_MS,
    rateLimit: {
      perMinute: config.RATE_LIMIT_PER_MINUTE,
      authPerMinute: config.AUTH_RATE_LIMIT_PER_MINUTE,
      refreshPerMinute: config.REFRESH_RATE_LIMIT_PER_MINUTE,
      ...(shared ? { shared } : {}),
    },
  });
  registerDocsRoutes(app, urls, Math.min(config.UPSTREAM_TIMEOUT_MS, 5_000));
  await registerFrontendRoutes(app, config.FRONTEND_DIST);
  return { app, ops };
}
