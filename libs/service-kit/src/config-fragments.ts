import { Type, type TBoolean, type TOptional, type TString } from 'typebox';
import { PRODUCTION_RULE, type ProductionRule } from './config.ts';
import { addressListConfig, LOOPBACK_PROXIES } from './client-address.ts';

const rule = (production: ProductionRule) => ({ [PRODUCTION_RULE]: production });

export interface SecretOptions {
  /**
   * What development uses while the variable is unset; production refuses it. Without one the
   * variable is optional in development (undefined) and required in production.
   */
  devDefault?: string;
  /** The shortest value production accepts (development takes any non-empty value). */
  minLength?: number;
  description?: string;
}

/**
 * A secret variable: in production (`NODE_ENV=production`) configLoader refuses to load while it
 * is unset, equal to its development default or shorter than `minLength`.
 */
export function secret(options: SecretOptions & { devDefault: string }): TString;
export function secret(options?: SecretOptions): TOptional<TString>;
export function secret(options: SecretOptions = {}): TString | TOptional<TString> {
  const { devDefault, minLength = 1, description } = options;
  const schema = Type.String({
    minLength: 1,
    ...(devDefault === undefined ? {} : { default: devDefault }),
    ...(description === undefined ? {} : { description }),
    ...rule({ secret: { minLength } }),
  });
  return devDefault === undefined ? Type.Optional(schema) : schema;
}

/**
 * A server URL with credentials (`scheme://user:password@host`): production refuses one without
 * a password or with one of the well-known `refuseUsers` (RabbitMQ's guest).
 */
export function credentialsUrl(
  scheme: string,
  devDefault: string,
  refuseUsers: string[] = [],
): TString {
  return Type.String({
    pattern: `^${scheme}://`,
    default: devDefault,
    ...rule({ credentials: { refuseUsers } }),
  });
}

/** A flag for development only: production refuses true (e.g. the demo seed, public passwords). */
export function developmentOnly(description: string): TBoolean {
  return Type.Boolean({ default: false, description, ...rule({ developmentOnly: true }) });
}

/** Marks a variable whose default only suits a developer's machine: production must set it. */
export function explicitInProduction<S extends TString>(schema: S): S {
  return Object.assign(schema, rule({ explicit: true }));
}

/**
 * The variables every service reads the same way (docs/conventions.md); a service's schema
 * spreads the fragments it needs and adds its own.
 */
/**
 * Where and how a service listens. `TRUSTED_PROXIES`: whose X-Forwarded-For names the client;
 * loopback by default (the gateway on this host), none for the gateway, which is the edge.
 */
export function serverConfig(defaultPort: number, trustedProxies = LOOPBACK_PROXIES) {
  return {
    PORT: Type.Integer({ minimum: 0, maximum: 65535, default: defaultPort }),
    HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
    LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      default: 'info',
    }),
    /**
     * The share of successful requests (status below 400, faster than a second) that get their
     * log line; failures and slow ones always do, probes (/health, /ready, /metrics) only when
     * they fail. A request is in or out at every hop alike (decided by its request id).
     */
    REQUEST_LOG_SAMPLE: Type.Number({ minimum: 0, maximum: 1, default: 0.1 }),
    TRUSTED_PROXIES: addressListConfig(trustedProxies),
    // Tracing (docs/observability.md): unset, no OpenTelemetry code is even loaded.
    OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description: 'OTLP/HTTP collector base URL; traces are exported only when set',
      }),
    ),
  };
}

export function databaseConfig(defaultName: string) {
  return {
    MYSQL_URL: credentialsUrl('mysql', 'mysql://root@127.0.0.1:3306'),
    DB_NAME: Type.String({ pattern: '^[A-Za-z0-9_]{1,64}$', default: defaultName }),
  };
}

export const brokerConfig = {
  RABBITMQ_URL: credentialsUrl('amqps?', 'amqp://guest:guest@127.0.0.1:5672', ['guest']),
  EVENTS_EXCHANGE: Type.String({ minLength: 1, default: 'marketplace.events' }),
};

/** The pinned claims of access tokens, as issued by user-service. */
export const tokenClaimsConfig = {
  JWT_ISSUER: Type.String({ minLength: 1, default: 'marketplace-user-service' }),
  JWT_AUDIENCE: Type.String({ minLength: 1, default: 'marketplace' }),
};

/** Where a service that verifies tokens finds user-service's public keys. */
export const tokenVerifyConfig = {
  // Where keys come from decides whose tokens are believed: never a default in production.
  JWKS_URL: explicitInProduction(
    Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:8081/.well-known/jwks.json' }),
  ),
  ...tokenClaimsConfig,
};

/** The shared secret of `/internal/*` calls: one rule for every service that sends or checks it. */
export const internalTokenConfig = {
  INTERNAL_TOKEN: secret({
    devDefault: 'dev-internal-token',
    minLength: 32,
    description: 'shared secret of the /internal/* calls between services',
  }),
};

/** The demo data (accounts with a public password): opt-in, and never in production. */
export const demoSeedConfig = {
  SEED_DEMO: developmentOnly('seed the demo data at start (idempotent)'),
};
