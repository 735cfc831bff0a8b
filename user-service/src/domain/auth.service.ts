import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { LoginBody, PasswordChangeBody, RegisterBody } from '@marketplace/contracts';
import { inTransaction, isDuplicateKey } from '@marketplace/db';
import {
  findRefreshToken,
  markSpent,
  revokeAllOfUser,
  revokeFamily,
} from '../data/refresh-token.repository.ts';
import type { DB } from '../data/schema.ts';
import { findUserByEmail, findUserById, insertUser, updateUser } from '../data/user.repository.ts';
import { enqueueUserEvent } from '../events/user.events.ts';
import type { AttemptThrottle } from './attempt-throttle.ts';
import type { LoginThrottle } from './login-throttle.ts';
import { UserErrors } from './errors.ts';
import { HashAbortedError, HasherBusyError, type PasswordHasher } from './password.ts';
import { hashRefreshToken, type IssuedSession, type SessionIssuer } from './session.ts';
import { normalizeEmail, type User } from './user.model.ts';
import { activeUser } from './user.service.ts';

export interface AuthDeps {
  db: Kysely<DB>;
  hasher: PasswordHasher;
  sessions: SessionIssuer;
  /** Failed logins per (e-mail, client network), per client network and per e-mail. */
  loginThrottle: LoginThrottle;
  /** Wrong current passwords per user, so a stolen access token cannot guess the password. */
  passwordThrottle: AttemptThrottle;
  /** Called after a commit that enqueued events (the outbox relay's nudge). */
  eventsCommitted: () => void;
}

/** Who is asking: the client address (behind trusted proxies) and whether they are still there. */
export interface ClientContext {
  ip: string;
  /** Aborts when the client has gone; a hash still waiting for its turn is then skipped. */
  signal?: AbortSignal;
}

type RefreshOutcome =
  { kind: 'ok'; session: IssuedSession } | { kind: 'invalid' | 'reused' | 'blocked' };

export class AuthService {
  constructor(private readonly deps: AuthDeps) {}

  async register(
    input: RegisterBody,
    requestId: string,
    signal?: AbortSignal,
  ): Promise<IssuedSession> {
    const { db, hasher, sessions } = this.deps;
    const email = normalizeEmail(input.email);
    // Cheap early answer; the unique key below is what really guarantees it.
    if (await findUserByEmail(db, email)) throw UserErrors.emailTaken();
    const passwordHash = await hashing(hasher.hash(input.password, signal));
    const user: User = {
      id: randomUUID(),
      email,
      name: input.name.trim(),
      role: input.role ?? 'buyer',
      phone: null,
      address: null,
      language: 'en',
      blocked: false,
      createdAt: new Date(),
    };
    let session: IssuedSession;
    try {
      session = await inTransaction(db, async (trx) => {
        await insertUser(trx, user, passwordHash);
        await enqueueUserEvent(trx, 'user.registered', user, requestId);
        return sessions.open(trx, user);
      });
    } catch (error) {
      if (isDuplicateKey(error)) throw UserErrors.emailTaken();
      throw error;
    }
    this.deps.eventsCommitted();
    return session;
  }

  /**
   * Unknown e-mail and wrong password get the same 401, after the same hashing work. A blocked
   * account is told so (403) only once the password proved the caller owns it, which reveals
   * nothing to someone guessing.
   */
  async login(input: LoginBody, client: ClientContext): Promise<IssuedSession> {
    const { db, hasher, loginThrottle } = this.deps;
    const email = normalizeEmail(input.email);
    const wait = loginThrottle.begin(email, client.ip);
    if (wait !== null) throw UserErrors.tooManyAttempts(wait);
    let user: Awaited<ReturnType<typeof findUserByEmail>>;
    let ok: boolean;
    try {
      user = await findUserByEmail(db, email);
      ok = await hashing(hasher.verify(input.password, user?.passwordHash ?? null, client.signal));
    } catch (error) {
      loginThrottle.abandoned(email, client.ip);
      throw error;
    }
    if (!user || !ok) throw UserErrors.invalidCredentials();
    loginThrottle.succeeded(email, client.ip);
    if (user.blocked) throw UserErrors.accountBlocked();
    if (hasher.needsRehash(user.passwordHash)) {
      // Best effort: with the hasher busy the upgrade waits for a later login.
      const upgraded = await hasher.hash(input.password).catch(() => null);
      if (upgraded) await updateUser(db, user.id, { passwordHash: upgraded });
    }
    return this.deps.sessions.open(db, user);
  }

  /** Exchanges a refresh token for a new pair; a spent one revokes its whole family. */
  async refresh(refreshToken: string): Promise<IssuedSession> {
    // Revocations must commit, so failures are returned from the transaction and thrown after.
    const outcome = await inTransaction(this.deps.db, (trx) =>
      this.rotate(trx, hashRefreshToken(refreshToken)),
    );
    switch (outcome.kind) {
      case 'ok':
        return outcome.session;
      case 'reused':
        throw UserErrors.refreshTokenReused();
      case 'blocked':
        throw UserErrors.accountBlocked();
      case 'invalid':
        throw UserErrors.invalidRefreshToken();
    }
  }

  private async rotate(trx: Kysely<DB>, tokenHash: string): Promise<RefreshOutcome> {
    const token = await findRefreshToken(trx, tokenHash, { forUpdate: true });
    if (!token || token.revoked_at) return { kind: 'invalid' };
    if (token.spent_at) {
      await revokeFamily(trx, token.family_id);
      return { kind: 'reused' };
    }
    if (token.expires_at.getTime() <= Date.now()) return { kind: 'invalid' };
    const user = await findUserById(trx, token.user_id);
    if (!user) return { kind: 'invalid' };
    if (user.blocked) {
      await revokeFamily(trx, token.family_id);
      return { kind: 'blocked' };
    }
    await markSpent(trx, tokenHash);
    // The new token joins the family; the access token carries the user's current role.
    return { kind: 'ok', session: await this.deps.sessions.open(trx, user, token.family_id) };
  }

  /** Ends the session the token belongs to; unknown tokens are ignored (logout is idempotent). */
  async logout(refreshToken: string): Promise<void> {
    const token = await findRefreshToken(this.deps.db, hashRefreshToken(refreshToken));
    if (token) await revokeFamily(this.deps.db, token.family_id);
  }

  /** Ends every session of the user, on every device. */
  async logoutAll(userId: string): Promise<void> {
    await revokeAllOfUser(this.deps.db, userId);
  }

  /** Changes the password, ends every session of the user, and opens a new one for the caller. */
  async changePassword(userId: string, input: PasswordChangeBody): Promise<IssuedSession> {
    const { db, hasher, passwordThrottle } = this.deps;
    const user = await activeUser(db, userId);
    const wait = passwordThrottle.hit(user.id);
    if (wait !== null) throw UserErrors.tooManyAttempts(wait);
    if (!(await hashing(hasher.verify(input.currentPassword, user.passwordHash)))) {
      throw UserErrors.wrongPassword();
    }
    passwordThrottle.reset(user.id);
    const passwordHash = await hashing(hasher.hash(input.newPassword));
    return inTransaction(db, async (trx) => {
      await updateUser(trx, user.id, { passwordHash });
      await revokeAllOfUser(trx, user.id);
      return this.deps.sessions.open(trx, user);
    });
  }
}

/** A hash's refusals as the catalogue's answers. */
async function hashing<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof HasherBusyError) throw UserErrors.busy(error.retryAfterSeconds);
    if (error instanceof HashAbortedError) throw UserErrors.clientGone();
    throw error;
  }
}
