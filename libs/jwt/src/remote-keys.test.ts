import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { CryptoKey, JWK } from 'jose';
import { generateSigningKey, importPrivateKey, type SigningKey } from './keys.ts';
import { createTokenIssuer } from './issuer.ts';
import { createAccessTokenVerifier, InvalidTokenError } from './verifier.ts';
import { createRemoteKeySet, KeySetUnavailableError } from './remote-keys.ts';

const ISS = 'test-issuer';
const AUD = 'test-audience';

/** A JWKS server on a fixed port that a test can stop and start again. */
class JwksServer {
  keys: JWK[] = [];
  fetches = 0;
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    const server = createServer((_request, response) => {
      this.fetches += 1;
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: this.keys }));
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/.well-known/jwks.json`;
  }
}

function issuerOf(key: SigningKey, privateKey: CryptoKey) {
  return createTokenIssuer({
    privateKey,
    kid: key.kid,
    issuer: ISS,
    audience: AUD,
    ttlSeconds: 60,
  });
}

async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    if (error instanceof InvalidTokenError) return error.reason;
    if (error instanceof KeySetUnavailableError) return 'unavailable';
    return `other: ${String(error)}`;
  }
}

describe('a verifier on a remote JWKS', () => {
  const server = new JwksServer();
  let clock = 1_000_000;

  afterEach(async () => {
    await server.stop();
    server.keys = [];
    server.fetches = 0;
    server.port = 0;
  });

  async function setup() {
    const known = await generateSigningKey();
    const unknown = await generateSigningKey();
    server.keys = [known.publicJwk];
    await server.start();
    const verifier = createAccessTokenVerifier({
      jwks: createRemoteKeySet(new URL(server.url), {
        refreshMs: 60_000,
        cooldownMs: 30_000,
        timeoutMs: 1_000,
        now: () => clock,
      }),
      issuer: ISS,
      audience: AUD,
      cacheSize: 0,
    });
    const sign = async (key: SigningKey, userId: string) =>
      issuerOf(key, await importPrivateKey(key.privateJwk)).sign({ userId, role: 'buyer' });
    return { known, unknown, verifier, sign };
  }

  it('when the key set goes down, then tokens of known keys still verify, even once stale', async () => {
    const { known, verifier, sign } = await setup();
    expect(await outcome(verifier.verify(await sign(known, 'u-1')))).toBe('accepted');
    await server.stop();
    clock += 10 * 60_000;
    for (let i = 0; i < 5; i += 1) {
      expect(await outcome(verifier.verify(await sign(known, `u-${i}`)))).toBe('accepted');
    }
  });

  it('when a kid is unknown and the key set is down, then the token is unavailable, not invalid', async () => {
    const { known, unknown, verifier, sign } = await setup();
    expect(await outcome(verifier.verify(await sign(known, 'u')))).toBe('accepted');
    await server.stop();
    clock += 31_000;
    expect(await outcome(verifier.verify(await sign(unknown, 'u')))).toBe('unavailable');
    // Within the cooldown, the failed fetch is not retried and the answer stays "unavailable".
    expect(await outcome(verifier.verify(await sign(unknown, 'u')))).toBe('unavailable');
    expect(await outcome(verifier.verify(await sign(known, 'u')))).toBe('accepted');
  });

  it('when a kid is unknown after a successful refetch, then the token is invalid', async () => {
    const { known, unknown, verifier, sign } = await setup();
    expect(await outcome(verifier.verify(await sign(known, 'u')))).toBe('accepted');
    clock += 31_000;
    expect(await outcome(verifier.verify(await sign(unknown, 'u')))).toBe('invalid');
    expect(server.fetches).toBe(2);
    // Within the cooldown an unknown kid costs no fetch.
    expect(await outcome(verifier.verify(await sign(unknown, 'u')))).toBe('invalid');
    expect(server.fetches).toBe(2);
  });

  it('when a new key is published and the key set comes back, then its tokens verify', async () => {
    const { known, unknown, verifier, sign } = await setup();
    expect(await outcome(verifier.verify(await sign(known, 'u')))).toBe('accepted');
    await server.stop();
    clock += 31_000;
    expect(await outcome(verifier.verify(await sign(unknown, 'u')))).toBe('unavailable');
    server.keys = [known.publicJwk, unknown.publicJwk];
    await server.start();
    clock += 31_000;
    expect(await outcome(verifier.verify(await sign(unknown, 'u')))).toBe('accepted');
  });

  it('when the keys grow stale, then they are refetched in the background', async () => {
    const { known, verifier, sign } = await setup();
    await verifier.verify(await sign(known, 'u'));
    expect(server.fetches).toBe(1);
    clock += 61_000;
    await verifier.verify(await sign(known, 'u'));
    for (let i = 0; i < 100 && server.fetches < 2; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(server.fetches).toBe(2);
  });

  it('when the key set was never reachable, then every token is unavailable', async () => {
    const { known, verifier, sign } = await setup();
    await server.stop();
    expect(await outcome(verifier.verify(await sign(known, 'u')))).toBe('unavailable');
  });
});
