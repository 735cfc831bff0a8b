import type { Kysely } from 'kysely';
import { DEMO_ADMIN, DEMO_BUYER, DEMO_SELLERS } from '@marketplace/contracts';
import { recordRegistered } from '../data/recipient.repository.ts';
import type { DB } from '../data/schema.ts';

// Older than any event, so a real user.registered or user.updated of a demo account wins.
const SEEDED_AT = new Date('2000-01-01T00:00:00.000Z');

/** Whom to write to for each demo account (idempotent). */
export async function seedDemoRecipients(db: Kysely<DB>): Promise<void> {
  for (const account of [DEMO_BUYER, DEMO_ADMIN, ...DEMO_SELLERS])
    await recordRegistered(
      db,
      { userId: account.id, email: account.email, name: account.name },
      SEEDED_AT,
    );
}
