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

/** Locks the row until the transaction ends, so two exchanges of one token serialize. */
export async function findRefreshTokenForUpdate(
  db: Kysely<DB>,
  tokenHash: string,
): Promise<RefreshTokenRow | null> {
  const row = await db
    .selectFrom('refresh_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .forUpdate()
    .executeTakeFirst();
  return row ?? null;
}

export async function findRefreshToken(
  db: Kysely<DB>,
  tokenHash: string,
): Promise<RefreshTokenRow | null> {
  const row = await db
    .selectFrom('refresh_tokens')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row ?? null;
}

export async function markSpent(db: Kysely<DB>, tokenHash: string): Promise<void> {
  await db
    .updateTable('refresh_tokens')
    .set({ spent_at: sql<Date>`CURRENT_TIMESTAMP(3)` })
    .where('token_hash', '=', tokenHash)
    .execute();
}

export async function revokeFamily(db: Kysely<DB>, familyId: string): Promise<void> {
  await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: sql<Date>`CURRENT_TIMESTAMP(3)` })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function revokeAllOfUser(db: Kysely<DB>, userId: string): Promise<void> {
  await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: sql<Date>`CURRENT_TIMESTAMP(3)` })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}
