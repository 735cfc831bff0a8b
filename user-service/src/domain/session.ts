import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuthSession } from '@marketplace/contracts';
import type { TokenIssuer } from '@marketplace/jwt';
import { insertRefreshToken } from '../data/refresh-token.repository.ts';
import type { DB } from '../data/schema.ts';
import { toPublicUser, type User } from './user.model.ts';

const DAY_MS = 86_400_000;

/** Refresh tokens are opaque; only their SHA-256 is stored, so a database leak yields none. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A session as opened: the refresh token is always there (the transport decides who sees it). */
export type IssuedSession = AuthSession & { refreshToken: string };

/** Opens sessions: a short-lived access token (JWT) and a refresh token of a family. */
export class SessionIssuer {
  constructor(
    private readonly issuer: TokenIssuer,
    private readonly refreshTtlDays: number,
  ) {}

  /** Stores the refresh token's hash in `db` (pass the transaction of the change). */
  async open(db: Kysely<DB>, user: User, familyId: string = randomUUID()): Promise<IssuedSession> {
    const refreshToken = randomBytes(32).toString('base64url');
    await insertRefreshToken(db, {
      tokenHash: hashRefreshToken(refreshToken),
      familyId,
      userId: user.id,
      expiresAt: new Date(Date.now() + this.refreshTtlDays * DAY_MS),
    });
    // The current name rides along so other services can show it without calling this one.
    const accessToken = await this.issuer.sign({
      userId: user.id,
      role: user.role,
      name: user.name,
    });
    return {
      user: toPublicUser(user),
      accessToken,
      refreshToken,
      expiresIn: this.issuer.ttlSeconds,
    };
  }
}
