import { afterEach, describe, expect, it, vi } from 'vitest';
import { SignJWT, createLocalJWKSet, generateKeyPair, exportJWK } from 'jose';
import { generateSigningKey, importPrivateKey } from './keys.ts';
import { createTokenIssuer } from './issuer.ts';
import { createAccessTokenVerifier, InvalidTokenError } from './verifier.ts';

const ISS = 'test-issuer';
const AUD = 'test-audience';

async function setup(cacheSize?: number) {
  const key = await generateSigningKey();
  const privateKey = await importPrivateKey(key.privateJwk);
  const issuer = createTokenIssuer({
    privateKey,
    kid: key.kid,
    issuer: ISS,
    audience: AUD,
    ttlSeconds: 60,
  });
  const verifier = createAccessTokenVerifier({
    jwks: createLocalJWKSet({ keys: [key.publicJwk] }),
    issuer: ISS,
    audience: AUD,
    ...(cacheSize !== undefined ? { cacheSize } : {}),
  });
  return { key, privateKey, issuer, verifier };
}

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    return error instanceof InvalidTokenError ? error.reason : `other: ${String(error)}`;
  }
}

describe('access tokens', () => {
  it('when a token is issued, then it verifies with the subject and role', async () => {
    const { issuer, verifier } = await setup();
    const claims = await verifier.verify(await issuer.sign({ userId: 'u-1', role: 'seller' }));
    expect(claims).toMatchObject({ userId: 'u-1', role: 'seller' });
  });

  it('when a token is issued with a name, then the verified claims carry it', async () => {
    const { issuer, verifier } = await setup();
    const token = await issuer.sign({ userId: 'u-2', role: 'seller', name: 'Northwind Goods' });
    expect(await verifier.verify(token)).toMatchObject({
      userId: 'u-2',
      role: 'seller',
      name: 'Northwind Goods',
    });
  });

  it('when a token is issued without a name, then the claims have none', async () => {
    const { issuer, verifier } = await setup();
    const claims = await verifier.verify(await issuer.sign({ userId: 'u-3', role: 'buyer' }));
    expect(claims).not.toHaveProperty('name');
  });

  it('when the name claim is not a string, then it is ignored and the token still verifies', async () => {
    const { privateKey, key, verifier } = await setup(0);
    const token = await new SignJWT({ role: 'buyer', name: { first: 'Mallory' } })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid })
      .setSubject('u-4')
      .setIssuer(ISS)
      .setAudience(AUD)
      .setExpirationTime('1m')
      .sign(privateKey);
    const claims = await verifier.verify(token);
    expect(claims).toMatchObject({ userId: 'u-4', role: 'buyer' });
    expect(claims).not.toHaveProperty('name');
  });

  it('when a named token has a wrong typ, issuer or audience, then it is still invalid', async () => {
    const { privateKey, key, verifier } = await setup(0);
    const named = (typ: string, iss: string, aud: string) =>
      new SignJWT({ role: 'seller', name: 'Northwind Goods' })
        .setProtectedHeader({ alg: 'EdDSA', typ, kid: key.kid })
        .setSubject('u')
        .setIssuer(iss)
        .setAudience(aud)
        .setExpirationTime('1m')
        .sign(privateKey);
    expect(await reason(verifier.verify(await named('JWT', ISS, AUD)))).toBe('invalid');
    expect(await reason(verifier.verify(await named('at+jwt', 'evil', AUD)))).toBe('invalid');
    expect(await reason(verifier.verify(await named('at+jwt', ISS, 'other')))).toBe('invalid');
  });

  it('when the lifetime exceeds 15 minutes, then the issuer refuses to be built', async () => {
    const { privateKey, key } = await setup();
    expect(() =>
      createTokenIssuer({ privateKey, kid: key.kid, issuer: ISS, audience: AUD, ttlSeconds: 3600 }),
    ).toThrow();
  });

  it('when the token has expired, then it is rejected as expired', async () => {
    const { privateKey, key, verifier } = await setup(0);
    const token = await new SignJWT({ role: 'buyer' })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid })
      .setSubject('u')
      .setIssuer(ISS)
      .setAudience(AUD)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(privateKey);
    expect(await reason(verifier.verify(token))).toBe('expired');
  });

  it('when a claim or header is wrong, then the token is invalid', async () => {
    const { privateKey, key, verifier } = await setup(0);
    const base = (typ: string) =>
      new SignJWT({ role: 'buyer' })
        .setProtectedHeader({ alg: 'EdDSA', typ, kid: key.kid })
        .setSubject('u');
    const cases = {
      'wrong typ': base('JWT').setIssuer(ISS).setAudience(AUD).setExpirationTime('1m'),
      'wrong issuer': base('at+jwt').setIssuer('evil').setAudience(AUD).setExpirationTime('1m'),
      'wrong audience': base('at+jwt').setIssuer(ISS).setAudience('other').setExpirationTime('1m'),
      'no exp': base('at+jwt').setIssuer(ISS).setAudience(AUD),
    };
    for (const [name, jwt] of Object.entries(cases)) {
      expect(`${name}: ${await reason(verifier.verify(await jwt.sign(privateKey)))}`).toBe(
        `${name}: invalid`,
      );
    }
    const badRole = await new SignJWT({ role: 'root' })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid })
      .setSubject('u')
      .setIssuer(ISS)
      .setAudience(AUD)
      .setExpirationTime('1m')
      .sign(privateKey);
    expect(await reason(verifier.verify(badRole))).toBe('invalid');
  });

  it('when a token is signed with another algorithm or key, then it is invalid', async () => {
    const { verifier, key } = await setup(0);
    const hs = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: key.kid })
      .setSubject('u')
      .setIssuer(ISS)
      .setAudience(AUD)
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(JSON.stringify(key.publicJwk)));
    expect(await reason(verifier.verify(hs))).toBe('invalid');

    const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    const forged = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid })
      .setSubject('u')
      .setIssuer(ISS)
      .setAudience(AUD)
      .setExpirationTime('1m')
      .sign(stranger.privateKey);
    expect(await reason(verifier.verify(forged))).toBe('invalid');
    expect(await reason(verifier.verify('not.a.token'))).toBe('invalid');
    expect(await exportJWK(stranger.publicKey)).toHaveProperty('x');
  });

  it('when a verified token is presented again, then the cache answers without the key set', async () => {
    const key = await generateSigningKey();
    const issuer = createTokenIssuer({
      privateKey: await importPrivateKey(key.privateJwk),
      kid: key.kid,
      issuer: ISS,
      audience: AUD,
      ttlSeconds: 60,
    });
    let lookups = 0;
    const local = createLocalJWKSet({ keys: [key.publicJwk] });
    const verifier = createAccessTokenVerifier({
      jwks: (header, token) => {
        lookups += 1;
        return local(header, token);
      },
      issuer: ISS,
      audience: AUD,
    });
    const token = await issuer.sign({ userId: 'u', role: 'buyer' });
    await verifier.verify(token);
    await verifier.verify(token);
    expect(lookups).toBe(1);
    // A failure is never cached as a success.
    expect(await reason(verifier.verify(`${token}x`))).toBe('invalid');
  });

  describe('the synchronous cache lookup', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('when a token was verified, then cached() answers its claims until it expires', async () => {
      vi.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
      const { issuer, verifier } = await setup();
      const token = await issuer.sign({ userId: 'u-5', role: 'buyer' });
      expect(verifier.cached(token)).toBeUndefined();
      await verifier.verify(token);
      expect(verifier.cached(token)).toMatchObject({ userId: 'u-5', role: 'buyer' });
      vi.setSystemTime(Date.now() + 61_000);
      expect(verifier.cached(token)).toBeUndefined();
      expect(await reason(verifier.verify(token))).toBe('expired');
    });

    it('when a token fails verification, then cached() never answers it', async () => {
      const { issuer, verifier } = await setup();
      const forged = `${await issuer.sign({ userId: 'u-6', role: 'admin' })}x`;
      expect(await reason(verifier.verify(forged))).toBe('invalid');
      expect(verifier.cached(forged)).toBeUndefined();
    });

    it('when the cache is disabled, then cached() answers nothing', async () => {
      const { issuer, verifier } = await setup(0);
      const token = await issuer.sign({ userId: 'u-7', role: 'buyer' });
      await verifier.verify(token);
      expect(verifier.cached(token)).toBeUndefined();
    });
  });
});
