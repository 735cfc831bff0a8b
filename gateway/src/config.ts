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
  /** Requests per minute over the whole API, per user (a valid token) or else per client network. */
  RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 300 }),
  /** Per client network and minute on each of login and register, against password guessing. */
  AUTH_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 20 }),
  /** Per client network and minute on refresh (a signed-in browser refreshes on each page load). */
  REFRESH_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 60 }),
  /** Redis shared by the gateway instances for the rate limit's counters; none: each counts alone. */
  REDIS_URL: Type.String({ pattern: '^(rediss?://.*)?$', default: '' }),
  /** The prefix of the rate limit's keys in Redis (instances that share a budget share it). */
  RATE_LIMIT_KEY_PREFIX: Type.String({ minLength: 1, default: 'gateway:rate-limit:' }),
  /**
   * The most any route may wait for a service's answer (headers), and for it to go on mid-body;
   * the route table's own timeouts (5 s reads, 5 to 10 s writes) are capped by it.
   */
  UPSTREAM_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  /** Consecutive failures of a service (unreachable, reset, timed out, a bare 502-504) that open its circuit. */
  CIRCUIT_FAILURE_THRESHOLD: Type.Integer({ minimum: 1, default: 5 }),
  /** How long an open circuit answers 503 at once before it lets one probe request through. */
  CIRCUIT_OPEN_MS: Type.Integer({ minimum: 100, default: 5_000 }),
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
