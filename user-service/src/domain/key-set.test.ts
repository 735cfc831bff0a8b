import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createAccessTokenVerifier,
  createTokenIssuer,
  generateSigningKey,
  InvalidTokenError,
} from '@marketplace/jwt';
import {
  DEFAULT_ROTATION_DELAY_SECONDS,
  keyRoles,
  parseKeySet,
  PUBLISH_BEFORE_SIGNING_SECONDS,
  rotateKeySet,
  serializeKeySet,
  type KeySetEntry,
} from './key-set.ts';
import { SigningKeys } from './signing-keys.ts';

const TTL = 900;

async function entry(kid: string, nbf = 0): Promise<KeySetEntry> {
  const key = await generateSigningKey();
  return { kid, nbf, material: { ...key.privateJwk, kid } };
}

describe('key rotation timeline', () => {
  it('when a key is rotated in, then it is published at once, signs after the delay, and the old key verifies until its last token expires', async () => {
    const t0 = 1_000_000;
    const a = await entry('a', 0);
    const b = await entry('b');
    const { keys, added } = rotateKeySet([a], b, t0, { ttlSeconds: TTL });
    expect(added.nbf).toBe(t0 + DEFAULT_ROTATION_DELAY_SECONDS);
    const switchAt = added.nbf;

    expect(keyRoles(keys, t0, TTL)).toEqual({ signer: 'a', published: ['a', 'b'], retired: [] });
    expect(keyRoles(keys, switchAt - 1, TTL).signer).toBe('a');
    expect(keyRoles(keys, switchAt, TTL)).toEqual({
      signer: 'b',
      published: ['a', 'b'],
      retired: [],
    });
    // The last token a signs (at switchAt - 1) expires at switchAt - 1 + TTL: a is still published.
    expect(keyRoles(keys, switchAt - 1 + TTL, TTL).published).toEqual(['a', 'b']);
    const retiredAt = switchAt + TTL + 60;
    expect(keyRoles(keys, retiredAt - 1, TTL).published).toEqual(['a', 'b']);
    expect(keyRoles(keys, retiredAt, TTL)).toEqual({
      signer: 'b',
      published: ['b'],
      retired: ['a'],
    });

    // A rotation while a may still verify keeps it; one after drops it.
    const c = await entry('c');
    expect(rotateKeySet(keys, c, switchAt + 10, { ttlSeconds: TTL }).retired).toEqual([]);
    const later = rotateKeySet(keys, c, retiredAt, { ttlSeconds: TTL });
    expect(later.retired).toEqual(['a']);
    expect(later.keys.map((k) => k.kid)).toEqual(['b', 'c']);
  });

  it('when the delay is shorter than the verifiers need to learn a key, then the rotation is refused', async () => {
    expect(() =>
      rotateKeySet([], { kid: 'x', material: '' }, 0, {
        delaySeconds: PUBLISH_BEFORE_SIGNING_SECONDS - 1,
      }),
    ).toThrow(/published/);
  });

  it('when two rotations follow each other, then the second key signs after the first', async () => {
    const a = await entry('a', 0);
    const first = rotateKeySet([a], await entry('b'), 1000);
    const second = rotateKeySet(first.keys, await entry('c'), 1001, { delaySeconds: 400 });
    expect(second.added.nbf).toBeGreaterThan(first.added.nbf);
  });

  it('when a key set has no key yet, then its first key signs at once', async () => {
    const { keys } = rotateKeySet([], await entry('first'), 5000);
    expect(keyRoles(keys, 5000).signer).toBe('first');
  });
});

describe('signing keys on a fake clock', () => {
  it('when the clock passes nbf, then tokens switch keys; old tokens verify until the old key retires', async () => {
    let clock = 1_000_000;
    const keys = await SigningKeys.fromKeySet([await entry('a', 0), await entry('b', 1_000_600)], {
      ttlSeconds: TTL,
      now: () => clock * 1000,
    });
    const issuer = createTokenIssuer({
      currentKey: () => keys.current(),
      issuer: 'iss',
      audience: 'aud',
      ttlSeconds: TTL,
    });
    const verifier = createAccessTokenVerifier({
      jwks: keys.getKey,
      issuer: 'iss',
      audience: 'aud',
      cacheSize: 0,
    });
    const kidOf = (token: string) =>
      (
        JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as {
          kid: string;
        }
      ).kid;

    expect(keys.jwks().keys.map((k) => k.kid)).toEqual(['a', 'b']);
    expect(keys.jwks().keys.every((k) => k.d === undefined)).toBe(true);
    const oldToken = await issuer.sign({ userId: 'u', role: 'buyer' });
    expect(kidOf(oldToken)).toBe('a');

    clock = 1_000_600;
    // jose checks exp against the real clock: the key lookup is what the fake clock drives here.
    expect(kidOf(await issuer.sign({ userId: 'u', role: 'buyer' }))).toBe('b');
    expect(keys.jwks().keys.map((k) => k.kid)).toEqual(['a', 'b']);
    clock = 1_000_600 + TTL;
    expect(await verifier.verify(oldToken)).toMatchObject({ userId: 'u' });
    clock = 1_000_600 + TTL + 60;
    expect(keys.jwks().keys.map((k) => k.kid)).toEqual(['b']);
    await expect(verifier.verify(oldToken)).rejects.toBeInstanceOf(InvalidTokenError);
  });
});

describe('key set configuration', () => {
  it('when a PEM, a JWK or a key set is given, then each parses to its keys', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(parseKeySet(pem, 'X')).toEqual([{ kid: '', nbf: 0, material: pem.trim() }]);

    const jwk = (await generateSigningKey()).privateJwk;
    expect(parseKeySet(JSON.stringify(jwk), 'X')[0]?.kid).toBe(jwk.kid);

    const set = [await entry('a', 0), await entry('b', 123), { kid: 'p', nbf: 5, material: pem }];
    expect(parseKeySet(serializeKeySet(set), 'X')).toEqual(set);
  });

  it('when the text is not a key, then the error names where it came from', () => {
    expect(() => parseKeySet('secret', 'JWT_SIGNING_KEY')).toThrow(/^JWT_SIGNING_KEY: /);
    expect(() => parseKeySet('{"keys": []}', 'f.json')).toThrow(/no keys/);
    expect(() => parseKeySet('{"keys": [{"kty": "OKP"}]}', 'f.json')).toThrow(/kid/);
  });

  it('when a PEM key is imported, then its kid is its thumbprint and it signs', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const keys = await SigningKeys.fromKeySet(parseKeySet(pem, 'X'));
    const [published] = keys.jwks().keys;
    expect(published?.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(keys.current().kid).toBe(published?.kid);
    expect(published).not.toHaveProperty('d');
  });

  it('when a key is not Ed25519, then it is refused', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'ec' };
    await expect(SigningKeys.fromKeySet(parseKeySet(JSON.stringify(jwk), 'X'))).rejects.toThrow(
      /Ed25519/,
    );
  });
});
