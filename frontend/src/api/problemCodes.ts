/**
 * The problem `code`s the SPA reacts to. Each is in a catalogue: a service's
 * `src/domain/errors.ts`, the gateway's `src/errors.ts`, `@marketplace/jwt` or the service kit
 * (tests/repo/spa-contracts.test.ts checks that it still is).
 */
export const SERVER_CODES = [
  'invalid-credentials',
  'wrong-password',
  'too-many-attempts',
  'rate-limited',
  'busy',
  'email-taken',
  'account-blocked',
  'invalid-refresh-token',
  'refresh-token-reused',
  'csrf-refused',
  'token-expired',
  'invalid-token',
  'validation-error',
  'product-not-found',
  'seller-not-found',
  'order-not-found',
  'insufficient-stock',
  'product-unavailable',
  'idempotency-key-in-flight',
] as const;

/** The client's own codes, for failures that brought no problem body. */
export const CLIENT_CODES = ['network-error', 'unexpected-response'] as const;

export type ProblemCode = (typeof SERVER_CODES)[number] | (typeof CLIENT_CODES)[number];
