import { Type, type Static } from 'typebox';
import { loadConfig as loadFromEnv } from '@marketplace/service-kit';

export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8084 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
  }),
  MYSQL_URL: Type.String({ pattern: '^mysql://', default: 'mysql://root@127.0.0.1:3306' }),
  DB_NAME: Type.String({ pattern: '^[A-Za-z0-9_]{1,64}$', default: 'marketplace_notifications' }),
  RABBITMQ_URL: Type.String({
    pattern: '^amqps?://',
    default: 'amqp://guest:guest@127.0.0.1:5672',
  }),
  EVENTS_EXCHANGE: Type.String({ minLength: 1, default: 'marketplace.events' }),
  EVENTS_QUEUE: Type.String({ minLength: 1, default: 'notification-service.events' }),
  JWKS_URL: Type.String({
    pattern: '^https?://',
    default: 'http://127.0.0.1:8081/.well-known/jwks.json',
  }),
  JWT_ISSUER: Type.String({ minLength: 1, default: 'marketplace-user-service' }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: 'marketplace' }),
});

export type Config = Static<typeof ConfigSchema>;

/** The service's configuration from `env` (process.env by default); throws naming bad variables. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  return loadFromEnv(ConfigSchema, env);
}
