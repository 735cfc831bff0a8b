import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';

/** Whether user.updated last said `userId` is blocked. */
export async function isBlocked(db: Kysely<DB>, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('account_states')
    .select('blocked')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.blocked === 1;
}

/**
 * Records the blocked flag of an event unless a newer event's is on record (events may arrive
 * out of order); returns the flag now on record. The row stays locked until `trx` ends.
 */
export async function recordBlocked(
  trx: Kysely<DB>,
  userId: string,
  blocked: boolean,
  changedAt: Date,
): Promise<boolean> {
  const known = await trx
    .selectFrom('account_states')
    .select(['blocked', 'changed_at'])
    .where('user_id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
  const value = blocked ? 1 : 0;
  if (!known) {
    // Two first events of one user at once: one insert fails, and its event is retried.
    await trx
      .insertInto('account_states')
      .values({ user_id: userId, blocked: value, changed_at: changedAt })
      .execute();
    return blocked;
  }
  if (known.changed_at > changedAt) return known.blocked === 1;
  await trx
    .updateTable('account_states')
    .set({ blocked: value, changed_at: changedAt })
    .where('user_id', '=', userId)
    .execute();
  return blocked;
}
