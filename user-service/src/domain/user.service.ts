import type { Kysely } from 'kysely';
import type { AdminUserPatch, ProfilePatch, UserListQuery, UserPage } from '@marketplace/contracts';
import { inTransaction, InvalidCursorError } from '@marketplace/db';
import { revokeAllOfUser } from '../data/refresh-token.repository.ts';
import type { DB } from '../data/schema.ts';
import { findUserById, listUsers, updateUser } from '../data/user.repository.ts';
import { UserErrors } from './errors.ts';
import { toPublicUser, type PublicUser, type UserWithSecret } from './user.model.ts';

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
  constructor(private readonly db: Kysely<DB>) {}

  async profile(userId: string): Promise<PublicUser> {
    return toPublicUser(await activeUser(this.db, userId));
  }

  async updateProfile(userId: string, changes: ProfilePatch): Promise<PublicUser> {
    await activeUser(this.db, userId);
    const name = changes.name?.trim();
    await updateUser(this.db, userId, { ...changes, ...(name !== undefined ? { name } : {}) });
    return this.profile(userId);
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
  async adminUpdate(adminId: string, userId: string, changes: AdminUserPatch): Promise<PublicUser> {
    if (userId === adminId) {
      // Guards against an admin locking the marketplace out of its last admin by mistake.
      if (changes.blocked === true) throw UserErrors.cannotChangeSelf('blocked');
      if (changes.role !== undefined && changes.role !== 'admin') {
        throw UserErrors.cannotChangeSelf('role');
      }
    }
    const user = await inTransaction(this.db, async (trx) => {
      const found = await findUserById(trx, userId, { forUpdate: true });
      if (!found) throw UserErrors.userNotFound();
      await updateUser(trx, userId, changes);
      if (changes.blocked === true) await revokeAllOfUser(trx, userId);
      return { ...found, ...changes };
    });
    return toPublicUser(user);
  }
}
