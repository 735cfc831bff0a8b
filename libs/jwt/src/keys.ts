import { randomUUID } from 'node:crypto';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  importPKCS8,
  type JWK,
  type CryptoKey,
} from 'jose';

/** Access tokens are signed with Ed25519; verifiers accept nothing else. */
export const ACCESS_TOKEN_ALG = 'EdDSA';
/** `typ` header of access tokens, so no other token kind can pass as one. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

export interface SigningKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function generateSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(ACCESS_TOKEN_ALG, {
    crv: 'Ed25519',
    extractable: true,
  });
  const kid = randomUUID();
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ACCESS_TOKEN_ALG, use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ACCESS_TOKEN_ALG, use: 'sig' };
  return { kid, privateJwk, publicJwk };
}

export async function importPrivateKey(jwk: JWK): Promise<CryptoKey> {
  const key = await importJWK(jwk, ACCESS_TOKEN_ALG);
  if (key instanceof Uint8Array) throw new Error('expected an asymmetric private key');
  return key;
}

export interface ImportedSigningKey {
  kid: string;
  privateKey: CryptoKey;
  /** The public half only (kty, crv, x) with kid, alg and use: what the JWKS publishes. */
  publicJwk: JWK;
}

/**
 * A configured Ed25519 private key, as PKCS#8 PEM or a private JWK. Its kid is `kid`, else the
 * JWK's own, else the RFC 7638 thumbprint of the public key (stable for the same key).
 */
export async function importSigningKey(
  material: string | JWK,
  kid?: string,
): Promise<ImportedSigningKey> {
  let jwk: JWK;
  if (typeof material === 'string') {
    const key = await importPKCS8(material, ACCESS_TOKEN_ALG, { extractable: true });
    jwk = await exportJWK(key);
  } else {
    jwk = material;
  }
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || !jwk.x || !jwk.d) {
    throw new Error('a signing key must be an Ed25519 private key');
  }
  const publicPart: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x };
  const id = kid ?? jwk.kid ?? (await calculateJwkThumbprint(publicPart));
  const privateKey = await importPrivateKey({ ...publicPart, d: jwk.d });
  return {
    kid: id,
    privateKey,
    publicJwk: { ...publicPart, kid: id, alg: ACCESS_TOKEN_ALG, use: 'sig' },
  };
}
