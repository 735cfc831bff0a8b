export {
  generateSigningKey,
  importPrivateKey,
  importSigningKey,
  ACCESS_TOKEN_ALG,
  ACCESS_TOKEN_TYP,
  type SigningKey,
  type ImportedSigningKey,
} from './keys.ts';
export {
  createTokenIssuer,
  type TokenIssuer,
  type TokenIssuerOptions,
  type ActiveSigningKey,
  type AccessTokenSubject,
} from './issuer.ts';
export {
  createAccessTokenVerifier,
  verifierFromConfig,
  InvalidTokenError,
  type AccessClaims,
  type AccessTokenVerifier,
  type VerifierOptions,
} from './verifier.ts';
export {
  createRemoteKeySet,
  KeySetUnavailableError,
  JWKS_REFRESH_MS,
  JWKS_COOLDOWN_MS,
  type RemoteKeySet,
  type RemoteKeySetOptions,
} from './remote-keys.ts';
export {
  authenticate,
  bearerToken,
  currentUser,
  readUser,
  type TokenSourceOptions,
} from './plugin.ts';
export { createLocalJWKSet, type JWK } from 'jose';
