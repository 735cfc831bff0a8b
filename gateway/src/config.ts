import { fileURLToPath } from 'node:url';
import { Type, type Static } from 'typebox';
import { configLoader, serverConfig, tokenVerifyConfig } from '@marketplace/service-kit';

const ORIGIN = 'https?://[^\\s/,]+';
const CORS_ORIGINS_PATTERN = `^(${ORIGIN}(\\s*,\\s*${ORIGIN})*)?$`;
const httpUrl = (fallback: string) => Type.String({ pattern: '^https?://', default: fallback });

export const ConfigSchema = Type.Object({
  ...serverConfig(8080, ''),
  USER_SERVICE_URL: httpUrl('http://127.0.0.1:8081'),
  PRODUCT_SERVICE_URL: httpUrl('http://127.0.0.1:8082'),
  ORDER_SERVICE_URL: httpUrl('http://127.0.0.1:8083'),
  NOTIFICATION_SERVICE_URL: httpUrl('http://127.0.0.1:8084'),
  ...tokenVerifyConfig,
  /** The built SPA (`npm run build:frontend`). */
  FRONTEND_DIST: Type.String({
    minLength: 1,
    default: fileURLToPath(new URL('../../frontend/dist', import.meta.url)),
  }),
  /** Requests per client IP and minute over the whole API. */
  RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 300 }),
  /** Per client IP and minute on each of login and register, against password guessing. */
  AUTH_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 20 }),
  /** How long an upstream may take to answer (headers), and to go quiet mid-body. */
  UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 30_000 }),
  /** Origins (scheme://host[:port], comma-separated) whose pages may call the API; none: same-origin only. */
  CORS_ORIGINS: Type.String({ pattern: CORS_ORIGINS_PATTERN, default: '' }),
  /** Strict-Transport-Security max-age in seconds once the public URL is https; 0: no HSTS. */
  HSTS_MAX_AGE: Type.Integer({ minimum: 0, default: 0 }),
  /** The internal listener of /metrics, /ready and /health (never published). */
  OPS_HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  OPS_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 9080 }),
  /**
   * The load balancers in front (addresses or CIDRs, comma-separated) whose X-Forwarded-For
   * names the client; none by default, the gateway being the edge.
   */
});

export type Config = Static<typeof ConfigSchema>;

/** The service's configuration from `env` (process.env by default); throws naming bad variables. */
export const loadConfig = configLoader(ConfigSchema);
