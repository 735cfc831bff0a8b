import { Type } from 'typebox';

/**
 * The variables every service reads the same way (docs/conventions.md); a service's schema
 * spreads the fragments it needs and adds its own.
 */
export function serverConfig(defaultPort: number) {
  return {
    PORT: Type.Integer({ minimum: 0, maximum: 65535, default: defaultPort }),
    HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
    LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      default: 'info',
    }),
  };
}

export function databaseConfig(defaultName: string) {
  return {
    MYSQL_URL: Type.String({ pattern: '^mysql://', default: 'mysql://root@127.0.0.1:3306' }),
    DB_NAME: Type.String({ pattern: '^[A-Za-z0-9_]{1,64}$', default: defaultName }),
  };
}

export const brokerConfig = {
  RABBITMQ_URL: Type.String({
    pattern: '^amqps?://',
    default: 'amqp://guest:guest@127.0.0.1:5672',
  }),
  EVENTS_EXCHANGE: Type.String({ minLength: 1, default: 'marketplace.events' }),
};

/** The pinned claims of access tokens, as issued by user-service. */
export const tokenClaimsConfig = {
  JWT_ISSUER: Type.String({ minLength: 1, default: 'marketplace-user-service' }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: 'marketplace' }),
};

/** Where a service that verifies tokens finds user-service's public keys. */
export const tokenVerifyConfig = {
  JWKS_URL: Type.String({
    pattern: '^https?://',
    default: 'http://127.0.0.1:8081/.well-known/jwks.json',
  }),
  ...tokenClaimsConfig,
};
