import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';

export interface PendingRelease {
  orderId: string;
  attempts: number;
}

/** Records releases still owed to product-service; a release already owed stays as it is. */
export async function scheduleReleases(
  db: Kysely<DB>,
  orderIds: string[],
  now: Date,
): Promise<void> {
  if (orderIds.length === 0) return;
  await db
    .insertInto('pending_releases')
    .values(orderIds.map((id) => ({ order_id: id, next_attempt_at: now, created_at: now })))
    .onDuplicateKeyUpdate({ order_id: (eb) => eb.ref('order_id') })
    .execute();
}

export async function dueReleases(
  db: Kysely<DB>,
  now: Date,
  limit: number,
): Promise<PendingRelease[]> {
  const rows = await db
    .selectFrom('pending_releases')
    .select(['order_id', 'attempts'])
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ orderId: r.order_id, attempts: Number(r.attempts) }));
}

export async function completeRelease(db: Kysely<DB>, orderId: string): Promise<void> {
  await db.deleteFrom('pending_releases').where('order_id', '=', orderId).execute();
}

export async function postponeRelease(
  db: Kysely<DB>,
  orderId: string,
  nextAttemptAt: Date,
  error: string,
): Promise<void> {
  await db
    .updateTable('pending_releases')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      next_attempt_at: nextAttemptAt,
      last_error: error.slice(0, 500),
    }))
    .where('order_id', '=', orderId)
    .execute();
}
