import { verifierFromConfig, type AccessTokenVerifier } from '@marketplace/jwt';
import { createServiceApp, type ServiceApp } from '@marketplace/service-kit';
import type { Config } from './config.ts';
import { parseOrigins, registerCors } from './edge/cors.ts';
import { registerOpsListener, type OpsListener } from './edge/ops-listener.ts';
import { registerSecurityHeaders } from './edge/security-headers.ts';
import type { ServiceName } from './proxy/route-table.ts';
import { registerApiRoutes } from './routes/api.routes.ts';
import { registerDocsRoutes } from './routes/docs.routes.ts';
import { registerFrontendRoutes } from './routes/frontend.routes.ts';

export interface AppDeps {
  /** Tests pass `createTestTokens().verifier`; otherwise the JWKS at JWKS_URL is used. */
  verifier?: AccessTokenVerifier;
  /** `false` silences logs (tests). */
  logger?: boolean;
}

/** Ready when user-service's public keys can be fetched: without them no token verifies. */
async function checkJwks(url: string): Promise<void> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
  const body = (await response.json()) as { keys?: unknown };
  if (!Array.isArray(body.keys)) throw new Error('JWKS has no keys');
}

/** The gateway: the one public entry (API routing, edge auth, limits) and the SPA's host. */
export async function buildApp(
  config: Config,
  deps: AppDeps = {},
): Promise<{ app: ServiceApp; ops: OpsListener }> {
  const app = await createServiceApp({
    name: 'gateway',
    description: 'The public entry; the API document is at /api/docs/openapi.json.',
    config,
    logger: deps.logger,
    readiness: { jwks: () => checkJwks(config.JWKS_URL) },
  });
  // Before any route of the gateway's own, so each one gets the headers and the checks.
  registerSecurityHeaders(app, { hstsMaxAge: config.HSTS_MAX_AGE });
  await registerCors(app, parseOrigins(config.CORS_ORIGINS));
  const ops = registerOpsListener(app, { host: config.OPS_HOST, port: config.OPS_PORT });
  const verifier = deps.verifier ?? verifierFromConfig(config);
  const upstreams: Record<ServiceName, string> = {
    user: config.USER_SERVICE_URL,
    product: config.PRODUCT_SERVICE_URL,
    order: config.ORDER_SERVICE_URL,
    notification: config.NOTIFICATION_SERVICE_URL,
  };

  await registerApiRoutes(app, {
    upstreams,
    verifier,
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    ratePerMinute: config.RATE_LIMIT_PER_MINUTE,
    authRatePerMinute: config.AUTH_RATE_LIMIT_PER_MINUTE,
  });
  registerDocsRoutes(app, upstreams, Math.min(config.UPSTREAM_TIMEOUT_MS, 5_000));
  await registerFrontendRoutes(app, config.FRONTEND_DIST);
  return { app, ops };
}
