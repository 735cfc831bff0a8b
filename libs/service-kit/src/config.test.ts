import { describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import { ConfigError, configLoader, loadConfig, productionProblems } from './config.ts';
import {
  brokerConfig,
  databaseConfig,
  demoSeedConfig,
  internalTokenConfig,
  secret,
  tokenVerifyConfig,
} from './config-fragments.ts';

const schema = Type.Object({
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8080 }),
  MYSQL_URL: Type.String({ minLength: 1 }),
  SEED_DEMO: Type.Boolean({ default: false }),
});

describe('loadConfig', () => {
  it('when variables are strings, then they are converted and defaults applied', () => {
    const config = loadConfig(schema, { MYSQL_URL: 'mysql://x', SEED_DEMO: 'true' });
    expect(config).toEqual({ PORT: 8080, MYSQL_URL: 'mysql://x', SEED_DEMO: true });
  });

  it('when a variable is missing or malformed, then the error names each one', () => {
    let error: unknown;
    try {
      loadConfig(schema, { PORT: 'eighty' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('MYSQL_URL');
    expect(message).toContain('PORT');
  });

  it('when a variable is empty, then its default is used', () => {
    expect(loadConfig(schema, { MYSQL_URL: 'm', PORT: '' }).PORT).toBe(8080);
  });
});

describe('production mode', () => {
  const production = Type.Object({
    ...databaseConfig('app'),
    ...brokerConfig,
    ...internalTokenConfig,
    ...demoSeedConfig,
    KEY_FILE: secret({ minLength: 4 }),
  });
  const load = configLoader(production);
  const good = {
    NODE_ENV: 'production',
    MYSQL_URL: 'mysql://app:s3cret@db:3306',
    RABBITMQ_URL: 'amqp://app:s3cret@mq:5672',
    INTERNAL_TOKEN: 'x'.repeat(32),
    KEY_FILE: '/run/secrets/key.pem',
  };
  const problemsOf = (env: Record<string, string | undefined>): string[] => {
    try {
      load(env);
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
    return [];
  };

  it('when NODE_ENV is not production, then development defaults load and a secret without one is undefined', () => {
    const config = load({});
    expect(config).toMatchObject({ INTERNAL_TOKEN: 'dev-internal-token', SEED_DEMO: false });
    expect(config.KEY_FILE).toBeUndefined();
    expect(load({ SEED_DEMO: 'true', INTERNAL_TOKEN: 'short' })).toMatchObject({
      SEED_DEMO: true,
      INTERNAL_TOKEN: 'short',
    });
  });

  it('when every secret is set to a value of its own, then production loads', () => {
    const { NODE_ENV: _mode, ...variables } = good;
    expect(load(good)).toEqual({
      ...variables,
      DB_NAME: 'app',
      EVENTS_EXCHANGE: 'marketplace.events',
      SEED_DEMO: false,
    });
  });

  it('when nothing is set in production, then each secret and credential is named at once', () => {
    expect(problemsOf({ NODE_ENV: 'production' }).map((p) => p.split(':')[0])).toEqual([
      'MYSQL_URL',
      'RABBITMQ_URL',
      'INTERNAL_TOKEN',
      'KEY_FILE',
    ]);
  });

  it('when a secret is its development default or too short, then production refuses it', () => {
    expect(problemsOf({ ...good, INTERNAL_TOKEN: 'dev-internal-token' })).toEqual([
      'INTERNAL_TOKEN: is the development default; production needs a secret of its own',
    ]);
    expect(problemsOf({ ...good, INTERNAL_TOKEN: 'x'.repeat(31) })).toEqual([
      'INTERNAL_TOKEN: must be at least 32 characters in production',
    ]);
    expect(problemsOf({ ...good, KEY_FILE: '' })).toEqual([
      'KEY_FILE: must be set in production (a secret of at least 4 characters)',
    ]);
  });

  it('when a URL has no password or the guest account, then production refuses it without quoting it', () => {
    const noPassword = problemsOf({ ...good, MYSQL_URL: 'mysql://root@db:3306' });
    expect(noPassword).toEqual([expect.stringMatching(/^MYSQL_URL: must carry a password/)]);
    const guest = problemsOf({ ...good, RABBITMQ_URL: 'amqp://guest:guest@mq:5672' });
    expect(guest).toEqual([expect.stringMatching(/^RABBITMQ_URL: the well-known account "guest"/)]);
    expect(problemsOf({ ...good, MYSQL_URL: 'mysql://root:hunter22@db' }).join()).not.toContain(
      'hunter22',
    );
  });

  it('when the demo seed is asked for in production, then loading is refused naming SEED_DEMO', () => {
    expect(problemsOf({ ...good, SEED_DEMO: 'true' })).toEqual([
      'SEED_DEMO: is for development only and refused in production',
    ]);
    expect(load({ ...good, SEED_DEMO: 'false' }).SEED_DEMO).toBe(false);
  });

  it('when a variable must be explicit in production, then its default is refused there only', () => {
    const schema = Type.Object({ ...tokenVerifyConfig });
    expect(productionProblems(schema, { NODE_ENV: 'production' })).toEqual([
      'JWKS_URL: must be set in production (its default is for development)',
    ]);
    expect(productionProblems(schema, {})).toEqual([]);
    expect(
      productionProblems(schema, { NODE_ENV: 'production', JWKS_URL: 'http://users/jwks.json' }),
    ).toEqual([]);
  });

  it('when production refuses a variable and the service check objects too, then both are named', () => {
    const checked = configLoader(production, (config) =>
      config.KEY_FILE?.endsWith('.pem') ? [] : ['KEY_FILE: must be a .pem file'],
    );
    expect(() => checked({ ...good, KEY_FILE: 'key.txt', INTERNAL_TOKEN: '' })).toThrow(
      /INTERNAL_TOKEN: must be set[^]*KEY_FILE: must be a \.pem file/,
    );
    expect(() => checked({ KEY_FILE: 'key.txt' })).toThrow(/^invalid configuration:\n {2}KEY_FILE/);
  });

  it('when the schema and production both object, then one error names every variable', () => {
    const problems = problemsOf({ ...good, DB_NAME: 'no-dashes', INTERNAL_TOKEN: '' });
    expect(problems.map((p) => p.split(':')[0])).toEqual(['DB_NAME', 'INTERNAL_TOKEN']);
  });
});
