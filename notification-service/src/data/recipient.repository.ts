import { sql, type Kysely } from 'kysely';
import type { DB } from './schema.ts';

export type Language = 'en' | 'ru';

export interface Recipient {
  userId: string;
  email: string | null;
  name: string;
  language: Language;
}

/**
 * From user.registered: the address (only this event carries it) always; the name only when no
 * newer event's is on record (events of one user may arrive out of order). In one statement, and
 * ON DUPLICATE KEY UPDATE assigns left to right, so `changed_at` is compared before it moves.
 */
export async function recordRegistered(
  db: Kysely<DB>,
  user: { userId: string; email: string; name: string },
  at: Date,
): Promise<void> {
  await sql`
    INSERT INTO recipients (user_id, email, name, language, changed_at)
    VALUES (${user.userId}, ${user.email}, ${user.name}, 'en', ${at})
    ON DUPLICATE KEY UPDATE
      email = VALUES(email),
      name = IF(VALUES(changed_at) > changed_at, VALUES(name), name),
      changed_at = GREATEST(changed_at, VALUES(changed_at))`.execute(db);
}

/** From user.updated: name and language, unless a newer event's are on record. */
export async function recordUpdated(
  db: Kysely<DB>,
  user: { userId: string; name: string; language: Language },
  at: Date,
): Promise<void> {
  await sql`
    INSERT INTO recipients (user_id, email, name, language, changed_at)
    VALUES (${user.userId}, NULL, ${user.name}, ${user.language}, ${at})
    ON DUPLICATE KEY UPDATE
      name = IF(VALUES(changed_at) >= changed_at, VALUES(name), name),
      language = IF(VALUES(changed_at) >= changed_at, VALUES(language), language),
      changed_at = GREATEST(changed_at, VALUES(changed_at))`.execute(db);
}

export async function findRecipients(
  db: Kysely<DB>,
  userIds: string[],
): Promise<Map<string, Recipient>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('recipients')
    .select(['user_id', 'email', 'name', 'language'])
    .where('user_id', 'in', [...new Set(userIds)])
    .execute();
  return new Map(
    rows.map((r) => [
      r.user_id,
      {
        userId: r.user_id,
        email: r.email,
        name: r.name,
        language: r.language === 'ru' ? 'ru' : 'en',
      },
    ]),
  );
}
