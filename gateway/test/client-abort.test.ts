import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { createTestTokens, waitFor, type TestTokens } from '@marketplace/testing';
import type { ServiceApp } from '@marketplace/service-kit';
import { startGateway, startUpstreams, type Upstreams } from './upstreams.ts';

const SLOW_MS = 5_000;

interface SlowLogin {
  app: FastifyInstance;
  url: string;
  received: number;
  /** When each received request's socket closed, in ms after it was received. */
  closedAfterMs: number[];
}

/** A user-service stand-in whose login answers only after SLOW_MS, recording when its socket closes. */
async function startSlowLogin(): Promise<SlowLogin> {
  const app = Fastify();
  const slow: SlowLogin = { app, url: '', received: 0, closedAfterMs: [] };
  app.post('/api/auth/login', async (request) => {
    slow.received++;
    const start = Date.now();
    request.raw.socket.once('close', () => slow.closedAfterMs.push(Date.now() - start));
    await new Promise((resolve) => setTimeout(resolve, SLOW_MS).unref());
    return { ok: true };
  });
  app.get('/.well-known/jwks.json', async () => ({ keys: [] }));
  slow.url = await app.listen({ port: 0, host: '127.0.0.1' });
  return slow;
}

describe('gateway: a client that goes', () => {
  let upstreams: Upstreams;
  let slow: SlowLogin;
  let tokens: TestTokens;
  let app: ServiceApp;
  let base: string;

  beforeAll(async () => {
    upstreams = await startUpstreams();
    slow = await startSlowLogin();
    tokens = await createTestTokens();
    const user = { url: slow.url, app: slow.app, openStreams: () => 0 };
    ({ app } = await startGateway({ ...upstreams, user }, tokens.verifier));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app.close();
    slow.app.server.closeAllConnections();
    await slow.app.close();
    await upstreams.close();
  });

  it('when the client aborts a forwarded request, then the upstream request is closed at once', async () => {
    const abort = new AbortController();
    const pending = fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@example.com', password: 'secret-secret' }),
      signal: abort.signal,
    });
    await waitFor(() => (slow.received === 1 ? true : undefined), {
      what: 'the upstream to get it',
    });

    abort.abort();
    await expect(pending).rejects.toThrow();

    const closedAfter = await waitFor(() => slow.closedAfterMs[0], {
      timeoutMs: SLOW_MS / 2,
      what: 'the upstream socket to close',
    });
    expect(closedAfter).toBeLessThan(SLOW_MS / 2);
  });

  it('when the client waits, then it gets the slow answer and the upstream connection is kept', async () => {
    const closedBefore = slow.closedAfterMs.length;
    const response = await fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(slow.closedAfterMs).toHaveLength(closedBefore);
  });
});
