import type { LightMyRequestResponse } from 'fastify';
import { DEMO_ADMIN, DEMO_PASSWORD } from '@marketplace/contracts';
import { createBroker, unroutedQueueName, type BrokerConnection } from '@marketplace/events';
import { generateSigningKey } from '@marketplace/jwt';
import type { ServiceApp } from '@marketplace/service-kit';
import {
  createTestDatabase,
  silentLogger,
  TEST_MYSQL_URL,
  TEST_RABBITMQ_URL,
  uniqueName,
} from '@marketplace/testing';
import { buildApp, prepare, type AppDeps } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';
import type { RefreshTokenSweep } from '../src/domain/refresh-token-sweep.service.ts';

export interface Harness {
  app: ServiceApp;
  config: Config;
  tokenSweep: RefreshTokenSweep;
  broker: BrokerConnection;
  exchange: string;
  close(): Promise<void>;
}

/**
 * A user-service on a database and exchange of its own, migrated and seeded with the demo
 * accounts; close() removes everything it made. `env` adds or overrides configuration.
 */
export async function startUserService(
  deps: AppDeps = {},
  env: Record<string, string> = {},
): Promise<Harness> {
  const database = await createTestDatabase('users');
  const exchange = uniqueName('t.users.events');
  const config = loadConfig({
    MYSQL_URL: TEST_MYSQL_URL,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    DB_NAME: database.name,
    EVENTS_EXCHANGE: exchange,
    SCRYPT_COST: '1024',
    SEED_DEMO: 'true',
    LOG_LEVEL: 'silent',
    // A key of this suite's own, in memory: no key file is written by the tests.
    JWT_SIGNING_KEY: JSON.stringify((await generateSigningKey()).privateJwk),
    ...env,
  });
  await prepare(config, silentLogger);
  const { app, tokenSweep } = await buildApp(config, { logger: false, ...deps });
  await app.ready();
  const broker = createBroker(TEST_RABBITMQ_URL, silentLogger, 'user-service-test');
  return {
    app,
    config,
    tokenSweep,
    broker,
    exchange,
    async close() {
      await app.close();
      await broker.queueDelete({ queue: unroutedQueueName(exchange) });
      await broker.exchangeDelete({ exchange });
      await broker.exchangeDelete({ exchange: unroutedQueueName(exchange) });
      await broker.close();
      await database.drop();
    },
  };
}

export interface Session {
  user: { id: string; email: string; name: string; role: string; blocked: boolean };
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export interface ProblemBody {
  type: string;
  status: number;
  code: string;
  detail: string;
  errors?: { field: string; message: string }[];
}

/** The catalogue code of a problem answer. */
export function code(response: LightMyRequestResponse): string {
  return response.json<ProblemBody>().code;
}

export function fields(response: LightMyRequestResponse): string[] {
  return (response.json<ProblemBody>().errors ?? []).map((e) => e.field);
}

export function post(app: ServiceApp, url: string, payload: object, token?: string) {
  return app.inject({
    method: 'POST',
    url,
    payload,
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  });
}

let counter = 0;
/** An e-mail no other test uses. */
export function freshEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${counter}-${Date.now().toString(36)}@example.test`;
}

export async function register(
  app: ServiceApp,
  body: { email?: string; password?: string; name?: string; role?: string } = {},
): Promise<Session> {
  const response = await post(app, '/api/auth/register', {
    email: freshEmail(),
    password: 'correct horse battery',
    name: 'Test User',
    ...body,
  });
  if (response.statusCode !== 201) throw new Error(`register failed: ${response.body}`);
  return response.json<Session>();
}

/** A session of the seeded demo admin. */
export async function adminSession(h: Harness): Promise<Session> {
  const response = await post(h.app, '/api/auth/login', {
    email: DEMO_ADMIN.email,
    password: DEMO_PASSWORD,
  });
  return response.json<Session>();
}

/** The Authorization header of an access token. */
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
