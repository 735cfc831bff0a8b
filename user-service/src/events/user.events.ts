import type { Kysely } from 'kysely';
import type { EventData } from '@marketplace/contracts';
import { enqueueEvent } from '@marketplace/events';
import type { DB } from '../data/schema.ts';
import type { User } from '../domain/user.model.ts';

type UserEventType = 'user.registered' | 'user.updated';

/** What each user event says about the user: `user.updated` carries the current values. */
const DATA: { [T in UserEventType]: (user: User) => EventData<T> } = {
  'user.registered': (user) => ({
    userId: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
  }),
  'user.updated': (user) => ({
    userId: user.id,
    name: user.name,
    language: user.language,
    blocked: user.blocked,
    role: user.role,
  }),
};

/** Records a user event in the outbox, in the transaction of the change that caused it. */
export async function enqueueUserEvent(
  trx: Kysely<DB>,
  type: UserEventType,
  user: User,
  correlationId: string | null,
): Promise<void> {
  await enqueueEvent(trx, type, DATA[type](user), correlationId);
}

/** The fields other services keep copies of; a change to any of them is a `user.updated`. */
const WATCHED = ['name', 'language', 'blocked', 'role'] as const;

/** Whether `after` differs from `before` in a field `user.updated` carries. */
export function userUpdatedChanged(before: User, after: User): boolean {
  return WATCHED.some((field) => before[field] !== after[field]);
}
