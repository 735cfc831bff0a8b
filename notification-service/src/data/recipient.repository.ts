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

/** A recipient with what decides whether they are mailed: blocked, and the types turned off. */
export interface MailTarget extends Recipient {
  email: string;
  blocked: boolean;
  turnedOff: Set<string>;
}

/** Of `userIds`, those with an address on record, with their block and choices: one read. */
export async function mailTargets(
  db: Kysely<DB>,
  userIds: string[],
): Promise<Map<string, MailTarget>> {
  if (userIds.length === 0) return new Map();
  const { rows } = await sql<{
    user_id: string;
    email: string;
    name: string;
    language: string;
    blocked: number | null;
    off: string | null;
  }>`
    SELECT r.user_id, r.email, r.name, r.language, a.blocked, GROUP_CONCAT(p.type) AS off
    FROM recipients r
    LEFT JOIN account_states a ON a.user_id = r.user_id
    LEFT JOIN mail_preferences p ON p.user_id = r.user_id AND p.enabled = 0
    WHERE r.user_id IN (${sql.join([...new Set(userIds)])}) AND r.email IS NOT NULL
    GROUP BY r.user_id, r.email, r.name, r.language, a.blocked`.execute(db);
  return new Map(
    rows.map((r) => [
      r.user_id,
      {
        userId: r.user_id,
        email: r.email,
        name: r.name,
        language: r.language === 'ru' ? 'ru' : 'en',
        blocked: Number(r.blocked ?? 0) === 1,
        turnedOff: new Set(r.off ? r.off.split(',') : []),
      },
    ]),
  );
}
