import type { Kysely } from 'kysely';
import { enqueueEvent } from '@marketplace/events';
import type { DB } from '../data/schema.ts';
import type { User } from '../domain/user.model.ts';

/** Records `user.registered` in the outbox, in the transaction that created the user. */
export async function enqueueUserRegistered(
  trx: Kysely<DB>,
  user: User,
  correlationId: string | null,
): Promise<void> {
  await enqueueEvent(
    trx,
    'user.registered',
    { userId: user.id, email: user.email, name: user.name, role: user.role },
    correlationId,
  );
}
