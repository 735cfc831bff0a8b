import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from 'jose';

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
