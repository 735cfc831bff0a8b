import { Type, type Static } from 'typebox';
import { loadConfig } from '@marketplace/service-kit';

export const ProductConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8082 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
  }),
  MYSQL_URL: Type.String({ pattern: '^mysql://', default: 'mysql://root@127.0.0.1:3306' }),
  DB_NAME: Type.String({ pattern: '^[A-Za-z0-9_]{1,64}$', default: 'marketplace_products' }),
  JWKS_URL: Type.String({
    pattern: '^https?://',
    default: 'http://127.0.0.1:8081/.well-known/jwks.json',
  }),
  JWT_ISSUER: Type.String({ minLength: 1, default: 'marketplace-user-service' }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: 'marketplace' }),
  INTERNAL_TOKEN: Type.String({ minLength: 8, default: 'dev-internal-token' }),
  SEED_DEMO: Type.Boolean({ default: false }),
});

export type ProductConfig = Static<typeof ProductConfigSchema>;

/** The service's configuration from `env` (process.env by default); throws naming bad variables. */
export function loadProductConfig(
  env: Record<string, string | undefined> = process.env,
): ProductConfig {
  return loadConfig(ProductConfigSchema, env);
}
