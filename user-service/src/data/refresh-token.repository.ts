import { sql, type Kysely, type Selectable } from 'kysely';
import type { DB, RefreshTokensTable } from './schema.ts';

export type RefreshTokenRow = Selectable<RefreshTokensTable>;

export interface NewRefreshToken {
  tokenHash: string;
  familyId: string;
  userId: string;
  expiresAt: Date;
}

export async function insertRefreshToken(db: Kysely<DB>, token: NewRefreshToken): Promise<void> {
  await db
    .insertInto('refresh_tokens')
    .values({
      token_hash: token.tokenHash,
      family_id: token.familyId,
      user_id: token.userId,
      created_at: new Date(),
      expires_at: token.expiresAt,
      spent_at: null,
      revoked_at: null,
    })
    .execute();
}

/** With `forUpdate`, the row stays locked until the transaction ends, so two exchanges serialize. */
export async function findRefreshToken(
  db: Kysely<DB>,
  tokenHash: string,
  options: { forUpdate?: boolean } = {},
): Promise<RefreshTokenRow | null> {
  let query = db.selectFrom('refresh_tokens').selectAll().where('token_hash', '=', tokenHash);
  if (options.forUpdate) query = query.forUpdate();
  return (await query.executeTakeFirst()) ?? null;
}

export async function markSpent(db: Kysely<DB>, tokenHash: string): Promise<void> {
  await db
    .updateTable('refresh_tokens')
    .set({ spent_at: sql<Date>`CURRENT_TIMESTAMP(3)` })
    .where('token_hash', '=', tokenHash)
    .execute();
}

/** Revokes the tokens of a family (one session) not revoked yet. */
export async function revokeFamily(db: Kysely<DB>, familyId: string): Promise<void> {
  await revokeWhere(db, 'family_id', familyId);
}

/** Revokes every token of the user not revoked yet (every session). */
export async function revokeAllOfUser(db: Kysely<DB>, userId: string): Promise<void> {
  await revokeWhere(db, 'user_id', userId);
}

async function revokeWhere(
  db: Kysely<DB>,
  column: 'family_id' | 'user_id',
  value: string,
): Promise<void> {
  await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: sql<Date>`CURRENT_TIMESTAMP(3)` })
    .where(column, '=', value)
    .where('revoked_at', 'is', null)
    .execute();
}

/** A token in the sweep's scan order: (usable_until, family_id, token_hash), its index's order. */
export interface SweepPosition {
  usableUntil: Date;
  familyId: string;
  tokenHash: string;
}

/** Up to `limit` tokens no longer usable at `cutoff`, oldest first, after `after`. */
export async function scanUnusableRefreshTokens(
  db: Kysely<DB>,
  cutoff: Date,
  limit: number,
  after?: SweepPosition,
): Promise<SweepPosition[]> {
  let query = db
    .selectFrom('refresh_tokens')
    .select(['usable_until', 'family_id', 'token_hash'])
    .where('usable_until', '<', cutoff)
    .orderBy('usable_until')
    .orderBy('family_id')
    .orderBy('token_hash')
    .limit(limit);
  if (after) {
    query = query
      .where('usable_until', '>=', after.usableUntil)
      .where((eb) =>
        eb.or([
          eb('usable_until', '>', after.usableUntil),
          eb('family_id', '>', after.familyId),
          eb.and([eb('family_id', '=', after.familyId), eb('token_hash', '>', after.tokenHash)]),
        ]),
      );
  }
  const rows = await query.execute();
  return rows.map((row) => ({
    usableUntil: row.usable_until,
    familyId: row.family_id,
    tokenHash: row.token_hash,
  }));
}

/** Those of `familyIds` none of whose tokens was usable at or after `cutoff`. */
export async function findEndedFamilies(
  db: Kysely<DB>,
  familyIds: readonly string[],
  cutoff: Date,
): Promise<string[]> {
  if (familyIds.length === 0) return [];
  const rows = await db
    .selectFrom('refresh_tokens')
    .select('family_id')
    .where('family_id', 'in', familyIds)
    .groupBy('family_id')
    .having((eb) => eb.fn.max('usable_until'), '<', cutoff)
    .execute();
  return rows.map((row) => row.family_id);
}

/** Deletes up to `limit` tokens of the given ended families; returns how many went. */
export async function deleteFamilyTokens(
  db: Kysely<DB>,
  familyIds: readonly string[],
  cutoff: Date,
  limit: number,
): Promise<number> {
  if (familyIds.length === 0) return 0;
  const result = await db
    .deleteFrom('refresh_tokens')
    .where('family_id', 'in', familyIds)
    .where('usable_until', '<', cutoff)
    .limit(limit)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
