import type { Kysely } from 'kysely';
import {
  DEMO_ADMIN,
  DEMO_BUYER,
  DEMO_PASSWORD,
  DEMO_SELLERS,
  type Role,
} from '@marketplace/contracts';
import { isDuplicateKey } from '@marketplace/db';
import type { Logger } from '@marketplace/events';
import type { DB } from '../data/schema.ts';
import { findTaken, insertUser } from '../data/user.repository.ts';
import type { PasswordHasher } from '../domain/password.ts';
import type { User } from '../domain/user.model.ts';

interface DemoAccount {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { ...DEMO_BUYER, role: 'buyer' },
  { ...DEMO_ADMIN, role: 'admin' },
  ...DEMO_SELLERS.map((seller) => ({ ...seller, role: 'seller' as const })),
];

/**
 * Creates the demo accounts that do not exist yet (idempotent). No events: they are fixtures, not
 * sign-ups. Returns the e-mails created.
 */
export async function seedDemoUsers(
  db: Kysely<DB>,
  hasher: PasswordHasher,
  logger: Pick<Logger, 'info' | 'warn'>,
): Promise<string[]> {
  const taken = await findTaken(
    db,
    DEMO_ACCOUNTS.map((a) => a.id),
    DEMO_ACCOUNTS.map((a) => a.email),
  );
  const missing = DEMO_ACCOUNTS.filter(
    (a) => !taken.some((t) => t.id === a.id || t.email === a.email),
  );
  if (missing.length === 0) return [];
  // One hash for all: the demo password is public anyway, and each hash costs about a second.
  const passwordHash = await hasher.hash(DEMO_PASSWORD);
  const created: string[] = [];
  for (const account of missing) {
    const user: User = {
      ...account,
      phone: null,
      address: null,
      language: 'en',
      blocked: false,
      createdAt: new Date(),
    };
    try {
      await insertUser(db, user, passwordHash);
      created.push(account.email);
    } catch (error) {
      // Another instance seeding at the same moment got there first.
      if (!isDuplicateKey(error)) throw error;
    }
  }
  logger.info({ accounts: created }, 'demo accounts seeded');
  return created;
}
