import { createHmac, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignJWT, base64url, exportJWK, generateKeyPair, type JWTPayload } from 'jose';
import type { OrderPage, Problem } from '@marketplace/contracts';
import { generateSigningKey, importPrivateKey, type SigningKey } from '@marketplace/jwt';
import { TEST_AUDIENCE, TEST_ISSUER } from '@marketplace/testing';
import { gatewayClient, type Reply } from './client.ts';
import { startStack, type Stack } from './stack.ts';

// The attacks of RFC 8725 and OWASP's JWT cheat sheet, each sent through the gateway to a route
// of another service (GET /api/orders). user-service signs with a key this suite configures, so a
// test can sign a token that is right in every way but the one it is about.
describe('security: access tokens through the gateway', () => {
  let stack: Stack;
  let api: ReturnType<typeof gatewayClient>;
  let key: SigningKey;
  let lastUnknownKidFetch = 0;

  beforeAll(async () => {
    key = await generateSigningKey();
    stack = await startStack({
      env: { 'user-service': { JWT_SIGNING_KEY: JSON.stringify(key.privateJwk) } },
    });
    api = gatewayClient(stack.gatewayUrl);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const claims = (overrides: JWTPayload = {}): JWTPayload => ({
    sub: randomUUID(),
    role: 'buyer',
    iss: TEST_ISSUER,
    aud: TEST_AUDIENCE,
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 600,
    ...overrides,
  });

  /** A token signed by user-service's real key, with the header and claims given. */
  async function signed(
    payload: JWTPayload = claims(),
    header: { typ?: string; kid?: string } = {},
  ): Promise<string> {
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: key.kid, ...header })
      .sign(await importPrivateKey(key.privateJwk));
  }

  const encode = (value: object) => base64url.encode(JSON.stringify(value));
  const orders = (token: string) => api.get<OrderPage | Problem>('/api/orders', token);

  function expectProblem(reply: Reply<unknown>, status: number, code: string): void {
    expect({ status: reply.status, code: (reply.body as Problem | null)?.code }).toEqual({
      status,
      code,
    });
  }

  it('when a token is signed by the service key with the pinned claims, then the route answers', async () => {
    const reply = await orders(await signed());
    expect(reply.status).toBe(200);
    expect((reply.body as OrderPage).items).toEqual([]);
  });

  it('when the payload is swapped under a valid signature, then 401 invalid-token', async () => {
    const [header, , signature] = (await signed()).split('.');
    const forged = `${header}.${encode(claims({ role: 'admin' }))}.${signature}`;
    expectProblem(await orders(forged), 401, 'invalid-token');
  });

  it('when alg is none, then 401 invalid-token', async () => {
    const none = `${encode({ alg: 'none', typ: 'at+jwt', kid: key.kid })}.${encode(claims())}.`;
    expectProblem(await orders(none), 401, 'invalid-token');
  });

  it('when the token is HMAC-signed with the public key as the secret (key confusion), then 401 invalid-token', async () => {
    const secrets = [
      Buffer.from(JSON.stringify(key.publicJwk)),
      Buffer.from(base64url.decode(String(key.publicJwk.x))),
    ];
    for (const secret of secrets) {
      const input = `${encode({ alg: 'HS256', typ: 'at+jwt', kid: key.kid })}.${encode(claims({ role: 'admin' }))}`;
      const mac = createHmac('sha256', secret).update(input).digest('base64url');
      expectProblem(await orders(`${input}.${mac}`), 401, 'invalid-token');
    }
  });

  it('when the token has expired, then 401 token-expired', async () => {
    const past = Math.floor(Date.now() / 1000) - 120;
    expectProblem(
      await orders(await signed(claims({ iat: past - 900, exp: past }))),
      401,
      'token-expired',
    );
  });

  it('when the audience or the issuer is another, then 401 invalid-token', async () => {
    expectProblem(await orders(await signed(claims({ aud: 'other-api' }))), 401, 'invalid-token');
    expectProblem(await orders(await signed(claims({ iss: 'evil-issuer' }))), 401, 'invalid-token');
  });

  it('when the typ is not at+jwt (a refresh-like token), then 401 invalid-token', async () => {
    expectProblem(
      await orders(await signed(claims(), { typ: 'refresh+jwt' })),
      401,
      'invalid-token',
    );
    expectProblem(await orders(await signed(claims(), { typ: 'JWT' })), 401, 'invalid-token');
  });

  async function strangerToken(): Promise<string> {
    const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
    expect(await exportJWK(stranger.publicKey)).toHaveProperty('x');
    return new SignJWT(claims({ role: 'admin' }))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'at+jwt', kid: randomUUID() })
      .sign(stranger.privateKey);
  }

  it('when the kid is unknown and the key set says so, then 401 invalid-token', async () => {
    lastUnknownKidFetch = Date.now();
    expectProblem(await orders(await strangerToken()), 401, 'invalid-token');
  });

  it('when user-service is down, then valid tokens still work (no 401 storm) and an unknown kid is 503 auth-unavailable', async () => {
    // Warm: the gateway and order-service have the keys from the tests above.
    await stack.stopService('user-service');
    const replies = await Promise.all(
      Array.from({ length: 20 }, async () => orders(await signed())),
    );
    expect(replies.map((r) => r.status)).toEqual(replies.map(() => 200));

    // The unknown-kid refetch above started the verifiers' cooldown; past it, a refetch is tried.
    const wait = lastUnknownKidFetch + 31_000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    expectProblem(await orders(await strangerToken()), 503, 'auth-unavailable');
    // And the outage still turns no known token away.
    expect((await orders(await signed())).status).toBe(200);
  }, 90_000);
});
