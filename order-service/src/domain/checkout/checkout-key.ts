import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { findKey, insertClaim, takeOver } from '../../data/idempotency.repository.ts';
import type { DB } from '../../data/schema.ts';
import { OrderErrors } from '../errors.ts';

const MAX_KEY_LENGTH = 255;
/** How long a key may stay in flight before another request with it may take it over. */
export const STALE_KEY_AFTER_MS = 60_000;

/** This request owns the key: it alone may place the checkout, under these ids. */
export interface OwnedKey {
  kind: 'owned';
  userId: string;
  key: string;
  lockId: string;
  checkoutId: string;
  /** Orders earlier owners of a taken-over key may have reserved; given back if this one fails. */
  heldOrderIds: string[];
}

/** The key was used before with the same body: answer what was answered then. */
export interface Replay {
  kind: 'replay';
  body: unknown;
}

export function requireIdempotencyKey(value: string | string[] | undefined): string {
  if (value === undefined || value === '') throw OrderErrors.idempotencyKeyRequired();
  if (Array.isArray(value) || value.length > MAX_KEY_LENGTH) {
    throw OrderErrors.invalidIdempotencyKey(MAX_KEY_LENGTH);
  }
  return value;
}

/**
 * Claims an idempotency key for a request (per IETF draft / Stripe): a new key is stored in
 * flight with the request's fingerprint and the checkout id it will use; a key in flight for
 * longer than `staleAfterMs` (its owner crashed) may be taken over, keeping that checkout id.
 */
export async function claimKey(
  db: Kysely<DB>,
  request: { userId: string; key: string; fingerprint: string },
  staleAfterMs: number,
): Promise<OwnedKey | Replay> {
  // The key may vanish between our insert and read (its owner gave up): then claim it afresh.
  for (let attempt = 0; attempt < 3; attempt++) {
    const lockId = randomUUID();
    const now = new Date();
    const checkoutId = randomUUID();
    if (await insertClaim(db, { ...request, checkoutId, lockId, now })) {
      const { userId, key } = request;
      return { kind: 'owned', userId, key, lockId, checkoutId, heldOrderIds: [] };
    }
    const row = await findKey(db, request.userId, request.key);
    if (!row) continue;
    if (row.fingerprint !== request.fingerprint) {
      throw OrderErrors.idempotencyKeyReused();
    }
    if (row.status === 'completed') {
      return { kind: 'replay', body: JSON.parse(row.response_body ?? 'null') };
    }
    if (now.getTime() - row.locked_at.getTime() < staleAfterMs)
      throw OrderErrors.idempotencyKeyInFlight();
    const heldOrderIds = await takeOver(db, row, lockId, now);
    if (!heldOrderIds) throw OrderErrors.idempotencyKeyInFlight();
    return {
      kind: 'owned',
      userId: request.userId,
      key: request.key,
      lockId,
      checkoutId: row.checkout_id,
      heldOrderIds,
    };
  }
  throw OrderErrors.idempotencyKeyInFlight();
}
