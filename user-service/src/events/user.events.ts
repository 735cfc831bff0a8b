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

/** The fields other services keep copies of; a change to any of them is a `user.updated`. */
const WATCHED = ['name', 'language', 'blocked', 'role'] as const;

/** Whether `after` differs from `before` in a field `user.updated` carries. */
export function userUpdatedChanged(before: User, after: User): boolean {
  return WATCHED.some((field) => before[field] !== after[field]);
}

/** Records `user.updated` (the current values) in the outbox, in the transaction of the change. */
export async function enqueueUserUpdated(
  trx: Kysely<DB>,
  user: User,
  correlationId: string | null,
): Promise<void> {
  await enqueueEvent(
    trx,
    'user.updated',
    {
      userId: user.id,
      name: user.name,
      language: user.language,
      blocked: user.blocked,
      role: user.role,
    },
    correlationId,
  );
}
