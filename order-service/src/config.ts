import { Type, type Static } from 'typebox';
import {
  brokerConfig,
  databaseConfig,
  configLoader,
  demoSeedConfig,
  internalTokenConfig,
  serverConfig,
  tokenVerifyConfig,
} from '@marketplace/service-kit';

export const ConfigSchema = Type.Object({
  ...serverConfig(8083),
  ...databaseConfig('marketplace_orders'),
  ...brokerConfig,
  ...tokenVerifyConfig,
  PRODUCT_SERVICE_URL: Type.String({ minLength: 1, default: 'http://127.0.0.1:8082' }),
  /** How long one call to product-service may take before the catalog counts as unavailable. */
  PRODUCT_SERVICE_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5_000 }),
  ...internalTokenConfig,
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
  ...demoSeedConfig,
});

export type Config = Static<typeof ConfigSchema>;

/** The service's configuration from `env` (process.env by default); throws naming bad variables. */
export const loadConfig = configLoader(ConfigSchema);
