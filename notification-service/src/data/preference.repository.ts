import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';

/** The types a user turned e-mail off (or back on) for; a type not listed means on. */
export async function mailChoices(db: Kysely<DB>, userId: string): Promise<Map<string, boolean>> {
  const rows = await db
    .selectFrom('mail_preferences')
    .select(['type', 'enabled'])
    .where('user_id', '=', userId)
    .execute();
  return new Map(rows.map((r) => [r.type, r.enabled === 1]));
}

export async function saveMailChoices(
  db: Kysely<DB>,
  userId: string,
  choices: Record<string, boolean>,
): Promise<void> {
  const rows = Object.entries(choices).map(([type, enabled]) => ({
    user_id: userId,
    type,
    enabled: enabled ? 1 : 0,
  }));
  if (rows.length === 0) return;
  await db
    .insertInto('mail_preferences')
    .values(rows)
    .onDuplicateKeyUpdate((eb) => ({ enabled: eb.fn('VALUES', [eb.ref('enabled')]) }))
    .execute();
}
