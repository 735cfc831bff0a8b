import { Type, type Static } from 'typebox';
import {
  brokerConfig,
  databaseConfig,
  configLoader,
  serverConfig,
  tokenVerifyConfig,
} from '@marketplace/service-kit';

export const ConfigSchema = Type.Object({
  ...serverConfig(8084),
  ...databaseConfig('marketplace_notifications'),
  ...brokerConfig,
  EVENTS_QUEUE: Type.String({ minLength: 1, default: 'notification-service.events' }),
  ...tokenVerifyConfig,
});

export type Config = Static<typeof ConfigSchema>;

/** The service's configuration from `env` (process.env by default); throws naming bad variables. */
export const loadConfig = configLoader(ConfigSchema);
