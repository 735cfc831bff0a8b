import type { Kysely, Transaction } from 'kysely';
import type { AdminUserPatch, ProfilePatch, UserListQuery, UserPage } from '@marketplace/contracts';
import { inTransaction, InvalidCursorError } from '@marketplace/db';
import { revokeAllOfUser } from '../data/refresh-token.repository.ts';
import type { DB } from '../data/schema.ts';
import { findUserById, listUsers, updateUser } from '../data/user.repository.ts';
import { enqueueUserEvent, userUpdatedChanged } from '../events/user.events.ts';
import { UserErrors } from './errors.ts';
import { toPublicUser, type PublicUser, type User, type UserWithSecret } from './user.model.ts';

/**
 * The caller's own account. Access tokens outlive a block by up to their lifetime; this service
 * checks the account itself, so a blocked user is refused here at once.
 */
export async function activeUser(db: Kysely<DB>, userId: string): Promise<UserWithSecret> {
  const user = await findUserById(db, userId);
  if (!user) throw UserErrors.userNotFound();
  if (user.blocked) throw UserErrors.accountBlocked();
  return user;
}

export class UserService {
  /** `eventsCommitted` wakes the outbox relay after a change that enqueued an event. */
  constructor(
    private readonly db: Kysely<DB>,
    private readonly eventsCommitted: () => void = () => undefined,
  ) {}

  async profile(userId: string): Promise<PublicUser> {
    return toPublicUser(await activeUser(this.db, userId));
  }

  /** Only ever the caller's own account: `userId` is the token's subject. */
  async updateProfile(
    userId: string,
    changes: ProfilePatch,
    requestId: string | null = null,
  ): Promise<PublicUser> {
    const name = changes.name?.trim();
    const patch = { ...changes, ...(name !== undefined ? { name } : {}) };
    return this.change(userId, requestId, async (trx, found) => {
      if (found.blocked) throw UserErrors.accountBlocked();
      await updateUser(trx, userId, patch);
      return { ...found, ...patch };
    });
  }

  /** Any account, blocked or not (admin). */
  async byId(userId: string): Promise<PublicUser> {
    const user = await findUserById(this.db, userId);
    if (!user) throw UserErrors.userNotFound();
    return toPublicUser(user);
  }

  async list(request: UserListQuery): Promise<UserPage> {
    try {
      const page = await listUsers(this.db, request);
      return { items: page.items.map(toPublicUser), nextCursor: page.nextCursor };
    } catch (error) {
      if (error instanceof InvalidCursorError) throw UserErrors.invalidCursor();
      throw error;
    }
  }

  /** An admin changes a user's role or blocks them; blocking also ends their sessions. */
  async adminUpdate(
    adminId: string,
    userId: string,
    changes: AdminUserPatch,
    requestId: string | null = null,
  ): Promise<PublicUser> {
    if (userId === adminId) {
      // Guards against an admin locking the marketplace out of its last admin by mistake.
      if (changes.blocked === true) throw UserErrors.cannotChangeSelf('blocked');
      if (changes.role !== undefined && changes.role !== 'admin') {
        throw UserErrors.cannotChangeSelf('role');
      }
    }
    return this.change(userId, requestId, async (trx, found) => {
      await updateUser(trx, userId, changes);
      if (changes.blocked === true) await revokeAllOfUser(trx, userId);
      return { ...found, ...changes };
    });
  }

  /**
   * Applies `apply` to the locked row of `userId`; when a field other services copy changed, the
   * `user.updated` event is recorded in the same transaction and the relay woken after commit.
   */
  private async change(
    userId: string,
    requestId: string | null,
    apply: (trx: Transaction<DB>, found: UserWithSecret) => Promise<User>,
  ): Promise<PublicUser> {
    let changed = false;
    const user = await inTransaction(this.db, async (trx) => {
      const found = await findUserById(trx, userId, { forUpdate: true });
      if (!found) throw UserErrors.userNotFound();
      const updated = await apply(trx, found);
      changed = userUpdatedChanged(found, updated);
      if (changed) await enqueueUserEvent(trx, 'user.updated', updated, requestId);
      return updated;
    });
    if (changed) this.eventsCommitted();
    return toPublicUser(user);
  }
}
