import type { Kysely, Selectable } from 'kysely';
import { isDuplicateKey } from '@marketplace/db';
import type { DB, IdempotencyKeysTable } from './schema.ts';

export type IdempotencyRow = Selectable<IdempotencyKeysTable>;

export interface NewClaim {
  userId: string;
  key: string;
  fingerprint: string;
  checkoutId: string;
  lockId: string;
  now: Date;
}

/** Stores the key as in flight; false when the caller already used it. */
export async function insertClaim(db: Kysely<DB>, claim: NewClaim): Promise<boolean> {
  try {
    await db
      .insertInto('idempotency_keys')
      .values({
        user_id: claim.userId,
        idem_key: claim.key,
        fingerprint: claim.fingerprint,
        checkout_id: claim.checkoutId,
        lock_id: claim.lockId,
        status: 'in_flight',
        response_status: null,
        response_body: null,
        locked_at: claim.now,
        created_at: claim.now,
      })
      .execute();
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

export async function findKey(
  db: Kysely<DB>,
  userId: string,
  key: string,
): Promise<IdempotencyRow | null> {
  const row = await db
    .selectFrom('idempotency_keys')
    .selectAll()
    .where('user_id', '=', userId)
    .where('idem_key', '=', key)
    .executeTakeFirst();
  return row ?? null;
}

/** Takes over a stale in-flight key; only one of several concurrent takers wins. */
export async function takeOver(
  db: Kysely<DB>,
  row: IdempotencyRow,
  lockId: string,
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('idempotency_keys')
    .set({ lock_id: lockId, locked_at: now })
    .where('user_id', '=', row.user_id)
    .where('idem_key', '=', row.idem_key)
    .where('status', '=', 'in_flight')
    .where('lock_id', '=', row.lock_id)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Records the answer; false when the claim was lost to a takeover meanwhile. */
export async function completeKey(
  db: Kysely<DB>,
  owner: { userId: string; key: string; lockId: string },
  response: { status: number; body: unknown },
): Promise<boolean> {
  const result = await db
    .updateTable('idempotency_keys')
    .set({
      status: 'completed',
      response_status: response.status,
      response_body: JSON.stringify(response.body),
    })
    .where('user_id', '=', owner.userId)
    .where('idem_key', '=', owner.key)
    .where('status', '=', 'in_flight')
    .where('lock_id', '=', owner.lockId)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Forgets an in-flight key whose request created nothing, so the client may simply retry. */
export async function deleteClaim(
  db: Kysely<DB>,
  owner: { userId: string; key: string; lockId: string },
): Promise<boolean> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('user_id', '=', owner.userId)
    .where('idem_key', '=', owner.key)
    .where('status', '=', 'in_flight')
    .where('lock_id', '=', owner.lockId)
    .executeTakeFirst();
  return result.numDeletedRows === 1n;
}
