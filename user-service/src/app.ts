import fastifyCookie from '@fastify/cookie';
import { prepareDatabase, serviceDatabase } from '@marketplace/db';
import { startEventPublisher, type Logger } from '@marketplace/events';
import {
  createAccessTokenVerifier,
  createTokenIssuer,
  type AccessTokenVerifier,
} from '@marketplace/jwt';
import { createServiceApp, type ServiceApp } from '@marketplace/service-kit';
import { PeriodicTask } from '@marketplace/tasks';
import { migrations } from '../migrations/index.ts';
import type { Config } from './config.ts';
import type { DB } from './data/schema.ts';
import { seedDemoUsers } from './demo/seed.ts';
import { AttemptThrottle } from './domain/attempt-throttle.ts';
import { AuthService } from './domain/auth.service.ts';
import { LoginThrottle } from './domain/login-throttle.ts';
import { createPasswordHasher, type PasswordHasher } from './domain/password.ts';
import { RefreshTokenSweep } from './domain/refresh-token-sweep.service.ts';
import { SessionIssuer } from './domain/session.ts';
import { KEY_FILE_RELOAD_SECONDS } from './domain/key-set.ts';
import { loadSigningKeys, type SigningKeySource } from './domain/signing-key-source.ts';
import { UserService } from './domain/user.service.ts';
import { registerAuthRoutes } from './routes/auth.routes.ts';
import { SessionTransport } from './routes/session-transport.ts';
import { registerUserRoutes } from './routes/user.routes.ts';

export interface AppDeps {
  /** Tests may pass `createTestTokens().verifier`; by default the service's own keys verify. */
  verifier?: AccessTokenVerifier;
  /** `false` silences logs (tests). */
  logger?: boolean;
  /** Tests may pass their own, to count the hashes run; by default one from the config. */
  hasher?: PasswordHasher;
}

const FIFTEEN_MINUTES_MS = 15 * 60_000;

/** Everything before buildApp at start: the database, its migrations, the demo accounts. */
export async function prepare(config: Config, logger: Logger): Promise<void> {
  await prepareDatabase<DB>(
    { url: config.MYSQL_URL, database: config.DB_NAME },
    migrations,
    config.SEED_DEMO
      ? (db) => seedDemoUsers(db, createPasswordHasher({ cost: config.SCRYPT_COST }), logger)
      : undefined,
  );
  logger.info({ database: config.DB_NAME }, 'database ready');
}

/**
 * The identity service: accounts, sessions (access + refresh tokens), profiles, roles, and the
 * JWKS every other part verifies tokens with. Never listens; expects a migrated database.
 * The refresh-token sweep is returned too, so tests can run one on demand.
 */
export async function buildApp(
  config: Config,
  deps: AppDeps = {},
): Promise<{ app: ServiceApp; tokenSweep: RefreshTokenSweep }> {
  const database = serviceDatabase<DB>({ url: config.MYSQL_URL, database: config.DB_NAME });
  const { db } = database;
  let source: SigningKeySource;
  try {
    source = await loadSigningKeys(config, db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  const app = await createServiceApp({
    name: 'user-service',
    description: 'Registration, login, tokens, profiles and roles; the JWKS of access tokens.',
    config,
    logger: deps.logger,
    unavailable: database.isUnavailable,
    readiness: { database: database.ready, broker: () => events.ping() },
  });
  database.observe(app.metrics);
  const events = startEventPublisher('user-service', db, config, app);

  const { keys } = source;
  const issuer = createTokenIssuer({
    currentKey: () => keys.current(),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.JWT_ACCESS_TTL_SECONDS,
  });
  const verifier =
    deps.verifier ??
    createAccessTokenVerifier({
      jwks: keys.getKey,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    });
  const auth = new AuthService({
    db,
    hasher:
      deps.hasher ??
      createPasswordHasher({
        cost: config.SCRYPT_COST,
        maxConcurrent: config.PASSWORD_HASH_CONCURRENCY,
        maxQueued: config.PASSWORD_HASH_QUEUE,
      }),
    sessions: new SessionIssuer(issuer, config.REFRESH_TTL_DAYS),
    // Kept in this process's memory: each instance throttles the attempts it sees.
    loginThrottle: new LoginThrottle(),
    passwordThrottle: new AttemptThrottle({ maxAttempts: 5, windowMs: FIFTEEN_MINUTES_MS }),
    eventsCommitted: () => events.nudge(),
  });

  // Parses Cookie for the refresh cookie of browsers (see SessionTransport).
  await app.register(fastifyCookie);
  const transport = new SessionTransport({
    refreshTtlDays: config.REFRESH_TTL_DAYS,
    allowedOrigins: config.AUTH_ALLOWED_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== ''),
  });
  registerAuthRoutes(app, { auth, keys, transport, verifier });
  registerUserRoutes(app, verifier, new UserService(db, () => events.nudge()), auth, transport);

  const tokenSweep = new RefreshTokenSweep({
    db,
    logger: app.log,
    intervalMs: config.TOKEN_SWEEP_INTERVAL_MS,
    retentionDays: config.REFRESH_TOKEN_RETENTION_DAYS,
    registry: app.metrics,
  });

  // A rotated key file is published without a restart (key-set.ts counts this delay).
  const keyReload = new PeriodicTask({
    name: 'signing-keys-reload',
    run: () => source.reload(),
    intervalMs: KEY_FILE_RELOAD_SECONDS * 1000,
    logger: app.log,
    registry: app.metrics,
  });

  tokenSweep.start();
  if (source.file !== undefined) keyReload.start();
  app.addHook('onClose', async () => {
    await tokenSweep.stop();
    await keyReload.stop();
    await events.close();
    await db.destroy();
  });
  return { app, tokenSweep };
}
