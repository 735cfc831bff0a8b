import { SignJWT, type CryptoKey } from 'jose';
import type { Role } from '@marketplace/contracts';
import { ACCESS_TOKEN_ALG, ACCESS_TOKEN_TYP } from './keys.ts';

/** The key that signs a token now. */
export interface ActiveSigningKey {
  privateKey: CryptoKey;
  kid: string;
}

export type TokenIssuerOptions = (
  | ActiveSigningKey
  /** Asked at every signature, so a scheduled rotation switches keys without a restart. */
  | { currentKey: () => ActiveSigningKey }
) & {
  issuer: string;
  audience: string;
  /** At most 15 minutes, per the design. */
  ttlSeconds: number;
};

export interface AccessTokenSubject {
  userId: string;
  role: Role;
  /** The user's display name, so services can show it without asking user-service. */
  name?: string;
}

export interface TokenIssuer {
  sign(subject: AccessTokenSubject): Promise<string>;
  readonly ttlSeconds: number;
}

export function createTokenIssuer(options: TokenIssuerOptions): TokenIssuer {
  if (options.ttlSeconds <= 0 || options.ttlSeconds > 900) {
    throw new Error('access token lifetime must be between 1 and 900 seconds');
  }
  const currentKey = 'currentKey' in options ? options.currentKey : () => options;
  return {
    ttlSeconds: options.ttlSeconds,
    sign: (subject) => {
      const { kid, privateKey } = currentKey();
      return new SignJWT({
        role: subject.role,
        ...(subject.name !== undefined ? { name: subject.name } : {}),
      })
        .setProtectedHeader({ alg: ACCESS_TOKEN_ALG, typ: ACCESS_TOKEN_TYP, kid })
        .setSubject(subject.userId)
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setIssuedAt()
        .setExpirationTime(`${options.ttlSeconds}s`)
        .sign(privateKey);
    },
  };
}
