import { createLocalJWKSet } from 'jose';
import type { Role } from '@marketplace/contracts';
import {
  createAccessTokenVerifier,
  createTokenIssuer,
  generateSigningKey,
  importPrivateKey,
  type AccessTokenVerifier,
} from '@marketplace/jwt';

export const TEST_ISSUER = 'marketplace-user-service';
export const TEST_AUDIENCE = 'marketplace';

export interface TestTokens {
  verifier: AccessTokenVerifier;
  /** `name` becomes the token's display-name claim when given. */
  sign(userId: string, role: Role, name?: string): Promise<string>;
  /** `Authorization` header value for `userId` with `role` (and `name` when given). */
  bearer(userId: string, role: Role, name?: string): Promise<string>;
  /** A token that expires `ttlSeconds` from now, for what must end with its token. */
  shortLived(userId: string, role: Role, ttlSeconds: number): Promise<string>;
}

/**
 * Real EdDSA tokens for a service's integration tests, signed with a key made for the suite and
 * verified the same way production verifies them (pinned algorithm, typ, iss, aud, exp).
 */
export async function createTestTokens(): Promise<TestTokens> {
  const key = await generateSigningKey();
  const issuer = createTokenIssuer({
    privateKey: await importPrivateKey(key.privateJwk),
    kid: key.kid,
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    ttlSeconds: 900,
  });
  const verifier = createAccessTokenVerifier({
    jwks: createLocalJWKSet({ keys: [key.publicJwk] }),
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
  });
  const sign = (userId: string, role: Role, name?: string) => issuer.sign({ userId, role, name });
  const privateKey = await importPrivateKey(key.privateJwk);
  const shortLived = (userId: string, role: Role, ttlSeconds: number) =>
    createTokenIssuer({
      privateKey,
      kid: key.kid,
      issuer: TEST_ISSUER,
      audience: TEST_AUDIENCE,
      ttlSeconds,
    }).sign({ userId, role });
  return {
    verifier,
    sign,
    bearer: async (userId, role, name) => `Bearer ${await sign(userId, role, name)}`,
    shortLived,
  };
}
