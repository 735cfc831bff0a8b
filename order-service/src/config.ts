import { Type, type Static } from 'typebox';
import { loadConfig as loadFromEnv } from '@marketplace/service-kit';

export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8083 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
  }),
  MYSQL_URL: Type.String({ minLength: 1, default: 'mysql://root@127.0.0.1:3306' }),
  DB_NAME: Type.String({ pattern: '^[A-Za-z0-9_]{1,64}$', default: 'marketplace_orders' }),
  RABBITMQ_URL: Type.String({ minLength: 1, default: 'amqp://guest:guest@127.0.0.1:5672' }),
  EVENTS_EXCHANGE: Type.String({ minLength: 1, default: 'marketplace.events' }),
  JWKS_URL: Type.String({
    minLength: 1,
    default: 'http://127.0.0.1:8081/.well-known/jwks.json',
  }),
  JWT_ISSUER: Type.String({ minLength: 1, default: 'marketplace-user-service' }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: 'marketplace' }),
  PRODUCT_SERVICE_URL: Type.String({ minLength: 1, default: 'http://127.0.0.1:8082' }),
  /** How long one call to product-service may take before the catalog counts as unavailable. */
  PRODUCT_SERVICE_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5_000 }),
  INTERNAL_TOKEN: Type.String({ minLength: 1, default: 'dev-internal-token' }),
  /** How often stock releases that product-service missed are retried. */
  RELEASE_RETRY_INTERVAL_MS: Type.Integer({ minimum: 10, default: 5_000 }),
  /** How long a completed checkout's answer stays replayable under its Idempotency-Key. */
  IDEMPOTENCY_KEY_TTL_HOURS: Type.Integer({ minimum: 1, default: 24 }),
  /**
   * How long a key may stay in flight before its checkout counts as abandoned and its stock is
   * given back; at least 2, so always beyond the 60 s in which a retry takes a key over.
   */
  ABANDONED_CHECKOUT_AFTER_MINUTES: Type.Integer({ minimum: 2, default: 15 }),
  /** How often the idempotency keys are swept (setTimeout's limit caps it at ~24 days). */
  SWEEP_INTERVAL_MS: Type.Integer({ minimum: 10, maximum: 2_147_483_647, default: 60_000 }),
  SEED_DEMO: Type.Boolean({ default: false }),
});

export type Config = Static<typeof ConfigSchema>;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return loadFromEnv(ConfigSchema, env);
}
