import { Type, type Static } from 'typebox';
import {
  brokerConfig,
  databaseConfig,
  configLoader,
  demoSeedConfig,
  explicitInProduction,
  serverConfig,
  tokenVerifyConfig,
} from '@marketplace/service-kit';

export const ConfigSchema = Type.Object({
  ...serverConfig(8084),
  ...databaseConfig('marketplace_notifications'),
  ...brokerConfig,
  EVENTS_QUEUE: Type.String({ minLength: 1, default: 'notification-service.events' }),
  // The development mail catcher `npm start` runs; production must say where mail goes.
  SMTP_URL: explicitInProduction(
    Type.String({
      pattern: '^smtps?://',
      default: 'smtp://127.0.0.1:1025',
      description: 'smtp://[user:pass@]host:port (smtps:// for TLS from the start)',
    }),
  ),
  MAIL_FROM: Type.String({ minLength: 3, default: 'Marketplace <no-reply@marketplace.local>' }),
  // Links in mails point into the SPA here.
  PUBLIC_URL: explicitInProduction(
    Type.String({ pattern: '^https?://', default: 'http://localhost:8080' }),
  ),
  ...tokenVerifyConfig,
  ...demoSeedConfig,
});

export type Config = Static<typeof ConfigSchema>;

/** The service's configuration from `env` (process.env by default); throws naming bad variables. */
export const loadConfig = configLoader(ConfigSchema);
