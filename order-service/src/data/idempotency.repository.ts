import type { Kysely, Selectable } from 'kysely';
import { isDuplicateKey } from '@marketplace/db';
import type { DB, IdempotencyKeysTable } from './schema.ts';

export type IdempotencyRow = Selectable<IdempotencyKeysTable>;

/** Who holds a key in flight: the lock id changes with every takeover. */
export interface KeyClaim {
  userId: string;
  key: string;
  lockId: string;
}

/** The key's row while `claim` still holds it: in flight, under the claim's lock. */
function heldBy(claim: KeyClaim) {
  return {
    user_id: claim.userId,
    idem_key: claim.key,
    status: 'in_flight',
    lock_id: claim.lockId,
  } as const;
}

/** The stored order ids; a row written before they were recorded holds none. */
export function parseOrderIds(text: string | null): string[] {
  if (text === null) return [];
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || !value.every((id) => typeof id === 'string')) {
    throw new Error('idempotency_keys.order_ids is not a list of ids');
  }
  return value;
}

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
        order_ids: null,
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

/**
 * Takes over a stale in-flight key; only one of several concurrent takers wins. Returns the
 * order ids earlier owners recorded, or null when lost. They are read after the takeover: from
 * then on no earlier owner can record more (recordOrderIds checks the lock).
 */
export async function takeOver(
  db: Kysely<DB>,
  row: IdempotencyRow,
  lockId: string,
  now: Date,
): Promise<string[] | null> {
  const result = await db
    .updateTable('idempotency_keys')
    .set({ lock_id: lockId, locked_at: now })
    .where((eb) => eb.and(heldBy({ userId: row.user_id, key: row.idem_key, lockId: row.lock_id })))
    .executeTakeFirst();
  if (result.numUpdatedRows !== 1n) return null;
  const taken = await db
    .selectFrom('idempotency_keys')
    .select('order_ids')
    .where('user_id', '=', row.user_id)
    .where('idem_key', '=', row.idem_key)
    .where('lock_id', '=', lockId)
    .executeTakeFirst();
  return taken ? parseOrderIds(taken.order_ids) : null;
}

/**
 * Notes, before reserving, the orders whose stock the checkout may hold; false when the claim
 * was lost meanwhile (then the caller must not reserve).
 */
export async function recordOrderIds(
  db: Kysely<DB>,
  owner: KeyClaim,
  orderIds: string[],
): Promise<boolean> {
  const result = await db
    .updateTable('idempotency_keys')
    .set({ order_ids: JSON.stringify(orderIds) })
    .where((eb) => eb.and(heldBy(owner)))
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Records the answer; false when the claim was lost to a takeover meanwhile. */
export async function completeKey(
  db: Kysely<DB>,
  owner: KeyClaim,
  response: { status: number; body: unknown },
): Promise<boolean> {
  const result = await db
    .updateTable('idempotency_keys')
    .set({
      status: 'completed',
      response_status: response.status,
      response_body: JSON.stringify(response.body),
    })
    .where((eb) => eb.and(heldBy(owner)))
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Forgets an in-flight key whose request created nothing, so the client may simply retry. */
export async function deleteClaim(db: Kysely<DB>, owner: KeyClaim): Promise<boolean> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where((eb) => eb.and(heldBy(owner)))
    .executeTakeFirst();
  return result.numDeletedRows === 1n;
}

/** Deletes up to `limit` completed keys claimed before `cutoff`, oldest first; returns how many. */
export async function deleteExpiredKeys(
  db: Kysely<DB>,
  cutoff: Date,
  limit: number,
): Promise<number> {
  const result = await db
    .deleteFrom('idempotency_keys')
    .where('status', '=', 'completed')
    .where('locked_at', '<', cutoff)
    // The index's full order: with `locked_at` alone MariaDB sorts the whole range each batch.
    .orderBy('status')
    .orderBy('locked_at')
    .limit(limit)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** In-flight keys claimed before `cutoff`, oldest first (a plain read: the sweep re-checks each). */
export async function abandonedClaims(
  db: Kysely<DB>,
  cutoff: Date,
  limit: number,
): Promise<KeyClaim[]> {
  const rows = await db
    .selectFrom('idempotency_keys')
    .select(['user_id', 'idem_key', 'lock_id'])
    .where('status', '=', 'in_flight')
    .where('locked_at', '<', cutoff)
    .orderBy('locked_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ userId: r.user_id, key: r.idem_key, lockId: r.lock_id }));
}

/**
 * Locks the key until the transaction ends if it is still in flight under the same claim and
 * claimed before `cutoff`; null when it was completed, dropped or taken over meanwhile.
 */
export async function lockAbandonedClaim(
  trx: Kysely<DB>,
  claim: KeyClaim,
  cutoff: Date,
): Promise<{ checkoutId: string; orderIds: string[] } | null> {
  const row = await trx
    .selectFrom('idempotency_keys')
    .select(['checkout_id', 'order_ids'])
    .where((eb) => eb.and(heldBy(claim)))
    .where('locked_at', '<', cutoff)
    .forUpdate()
    .executeTakeFirst();
  return row ? { checkoutId: row.checkout_id, orderIds: parseOrderIds(row.order_ids) } : null;
}
