import { Type, type Static } from 'typebox';
import {
  databaseConfig,
  loadConfig,
  serverConfig,
  tokenVerifyConfig,
} from '@marketplace/service-kit';

export const ProductConfigSchema = Type.Object({
  ...serverConfig(8082),
  ...databaseConfig('marketplace_products'),
  ...tokenVerifyConfig,
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
