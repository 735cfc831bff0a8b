import { describe, expect, it } from 'vitest';
import { Type } from 'typebox';
import { ConfigError, loadConfig } from './config.ts';

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
