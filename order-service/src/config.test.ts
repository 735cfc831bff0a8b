import { describe, expect, it } from 'vitest';
import { ConfigError } from '@marketplace/service-kit';
import { loadConfig } from './config.ts';

describe('order-service config', () => {
  it('when nothing is set, then the documented defaults apply', () => {
    expect(loadConfig({})).toMatchObject({
      PORT: 8083,
      DB_NAME: 'marketplace_orders',
      PRODUCT_SERVICE_URL: 'http://127.0.0.1:8082',
      INTERNAL_TOKEN: 'dev-internal-token',
      EVENTS_EXCHANGE: 'marketplace.events',
      IDEMPOTENCY_KEY_TTL_HOURS: 24,
      ABANDONED_CHECKOUT_AFTER_MINUTES: 15,
      SWEEP_INTERVAL_MS: 60_000,
    });
  });

  it('when abandoned checkouts would be swept within the takeover minute, then loading fails naming it', () => {
    expect(() => loadConfig({ ABANDONED_CHECKOUT_AFTER_MINUTES: '1' })).toThrow(
      /ABANDONED_CHECKOUT_AFTER_MINUTES/,
    );
    expect(() => loadConfig({ IDEMPOTENCY_KEY_TTL_HOURS: '0' })).toThrow(
      /IDEMPOTENCY_KEY_TTL_HOURS/,
    );
  });

  it('when a variable is malformed, then loading fails naming it', () => {
    expect(() => loadConfig({ PORT: 'http', DB_NAME: 'no-dashes' })).toThrow(ConfigError);
    expect(() => loadConfig({ DB_NAME: 'no-dashes' })).toThrow(/DB_NAME/);
  });
});
