import { jwtVerify, errors, type JWTVerifyGetKey } from 'jose';
import type { Role } from '@marketplace/contracts';
import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP } from './keys.ts';
import { createRemoteKeySet } from './remote-keys.ts';

export interface AccessClaims {
  userId: string;
  role: Role;
  /**
   * The user's display name when the token carries one (as of its issue: up to 15 minutes old).
   * Absent from tokens issued before the claim existed.
   */
  name?: string;
  /** Seconds since the epoch. */
  exp: number;
}

export interface VerifierOptions {
  /**
   * user-service's JWKS URL (fetched by `createRemoteKeySet`: the last keys are kept through an
   * outage), or a key getter (tests use `createLocalJWKSet`).
   */
  jwks: string | JWTVerifyGetKey;
  issuer: string;
  audience: string;
  /** Verified tokens kept in memory (bounded, never past `exp`); 0 disables the cache. */
  cacheSize?: number;
}

export class InvalidTokenError extends Error {
  constructor(readonly reason: 'expired' | 'invalid') {
    super(reason === 'expired' ? 'The access token has expired.' : 'The access token is invalid.');
    this.name = 'InvalidTokenError';
  }
}

export interface AccessTokenVerifier {
  verify(token: string): Promise<AccessClaims>;
  /**
   * The claims of a token verified before and not yet expired, from the cache, synchronously;
   * undefined when `verify` is needed. Lets a hot path skip the promises of `verify` on a hit.
   */
  cached(token: string): AccessClaims | undefined;
}

const ROLES: ReadonlySet<string> = new Set(['buyer', 'seller', 'admin']);

export function createAccessTokenVerifier(options: VerifierOptions): AccessTokenVerifier {
  const getKey =
    typeof options.jwks === 'string' ? createRemoteKeySet(new URL(options.jwks)) : options.jwks;
  const cacheSize = options.cacheSize ?? 10_000;
  // Map keeps insertion order: evicting the first key drops the oldest entry.
  const cache = new Map<string, AccessClaims>();

  function cached(token: string): AccessClaims | undefined {
    const claims = cache.get(token);
    if (!claims) return undefined;
    if (claims.exp * 1000 > Date.now()) return claims;
    cache.delete(token);
    return undefined;
  }

  return {
    cached,
    async verify(token) {
      const hit = cached(token);
      if (hit) return hit;
      let claims: AccessClaims;
      try {
        const { payload } = await jwtVerify(token, getKey, {
          algorithms: [ACCESS_TOKEN_ALG],
          typ: ACCESS_TOKEN_TYP,
          issuer: options.issuer,
          audience: options.audience,
          requiredClaims: ['exp', 'sub'],
        });
        if (
          typeof payload.role !== 'string' ||
          !ROLES.has(payload.role) ||
          !payload.sub ||
          !payload.exp
        ) {
          throw new InvalidTokenError('invalid');
        }
        claims = {
          userId: payload.sub,
          role: payload.role as Role,
          exp: payload.exp,
          // A non-string `name` is ignored rather than failing the token: it is display data only.
          ...(typeof payload.name === 'string' ? { name: payload.name } : {}),
        };
      } catch (error) {
        if (error instanceof InvalidTokenError) throw error;
        if (error instanceof errors.JWTExpired) throw new InvalidTokenError('expired');
        if (error instanceof errors.JOSEError) throw new InvalidTokenError('invalid');
        // KeySetUnavailableError and the like: not the client's fault (503, not 401)
        throw error;
      }
      if (cacheSize > 0) {
        if (cache.size >= cacheSize) {
          const oldest = cache.keys().next();
          if (!oldest.done) cache.delete(oldest.value);
        }
        cache.set(token, claims);
      }
      return claims;
    },
  };
}

/** The verifier of a service configured with service-kit's `tokenVerifyConfig` variables. */
export function verifierFromConfig(config: {
  JWKS_URL: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
}): AccessTokenVerifier {
  return createAccessTokenVerifier({
    jwks: config.JWKS_URL,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
}
