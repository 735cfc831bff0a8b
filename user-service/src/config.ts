import { Type, type Static } from 'typebox';
import {
  brokerConfig,
  databaseConfig,
  configLoader,
  demoSeedConfig,
  isProduction,
  serverConfig,
  tokenClaimsConfig,
} from '@marketplace/service-kit';

const ORIGIN = 'https?://[^\\s/,]+';

export const ConfigSchema = Type.Object({
  ...serverConfig(8081),
  ...databaseConfig('marketplace_users'),
  ...brokerConfig,
  ...tokenClaimsConfig,
  // The design caps access tokens at 15 minutes.
  JWT_ACCESS_TTL_SECONDS: Type.Integer({ minimum: 1, maximum: 900, default: 900 }),
  REFRESH_TTL_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 30 }),
  // How often dead refresh tokens are deleted; setTimeout cannot wait longer than 2^31-1 ms.
  TOKEN_SWEEP_INTERVAL_MS: Type.Integer({
    minimum: 100,
    maximum: 2_147_483_647,
    default: 3_600_000,
  }),
  // How long a session's tokens are kept after the last of them stopped being usable.
  REFRESH_TOKEN_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 365, default: 7 }),
  // scrypt N (OWASP: 2^17); the test suites lower it to keep runs fast.
  SCRYPT_COST: Type.Integer({ minimum: 1024, maximum: 1_048_576, default: 131_072 }),
  // Hashes at once; libuv's pool has 4 threads, the rest stay for other crypto and file work.
  PASSWORD_HASH_CONCURRENCY: Type.Integer({ minimum: 1, maximum: 16, default: 2 }),
  // Hashes that may wait for a turn, beyond which 503 busy: at ~0.35 s a hash and 2 at once,
  // the last of 4 queued waits ~2 s (bench/logins.bench.ts).
  PASSWORD_HASH_QUEUE: Type.Integer({ minimum: 0, maximum: 10_000, default: 4 }),
  // Origins besides the site's own whose pages may use the refresh cookie (comma-separated).
  AUTH_ALLOWED_ORIGINS: Type.String({
    pattern: `^(${ORIGIN}(\\s*,\\s*${ORIGIN})*)?$`,
    default: '',
  }),
  // The signing keys (README "Signing keys"): inline or a file holding a JSON key set, a private
  // JWK or a PKCS#8 PEM. Production requires one; development generates DEV_KEY_SET_FILE.
  JWT_SIGNING_KEY: Type.Optional(Type.String({ minLength: 1 })),
  JWT_SIGNING_KEYS_FILE: Type.Optional(Type.String({ minLength: 1 })),
  ...demoSeedConfig,
});

export type Config = Static<typeof ConfigSchema>;

/** The service's configuration from `env` (process.env by default); throws naming bad variables. */
export const loadConfig = configLoader(ConfigSchema, (config, env) => [
  ...((config.SCRYPT_COST & (config.SCRYPT_COST - 1)) === 0
    ? []
    : ['SCRYPT_COST: must be a power of two']),
  ...signingKeyProblems(config, isProduction(env)),
]);

function signingKeyProblems(config: Config, production: boolean): string[] {
  if (config.JWT_SIGNING_KEY !== undefined && config.JWT_SIGNING_KEYS_FILE !== undefined)
    return ['JWT_SIGNING_KEY: set it or JWT_SIGNING_KEYS_FILE, not both'];
  if (
    production &&
    config.JWT_SIGNING_KEY === undefined &&
    config.JWT_SIGNING_KEYS_FILE === undefined
  )
    return ['JWT_SIGNING_KEYS_FILE: required in production (or JWT_SIGNING_KEY)'];
  return [];
}
