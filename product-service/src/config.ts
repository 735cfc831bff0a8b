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
  ...serverConfig(8082),
  ...databaseConfig('marketplace_products'),
  ...brokerConfig,
  EVENTS_QUEUE: Type.String({ minLength: 1, default: 'product-service.events' }),
  ...tokenVerifyConfig,
  ...internalTokenConfig,
  ...demoSeedConfig,
});

export type Config = Static<typeof ConfigSchema>;

/** The service's configuration from `env` (process.env by default); throws naming bad variables. */
export const loadConfig = configLoader(ConfigSchema);
