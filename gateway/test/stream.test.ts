import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTokens, waitFor, type TestTokens } from '@marketplace/testing';
import type { ServiceApp } from '@marketplace/service-kit';
import { startGateway, startUpstreams, type Upstreams } from './upstreams.ts';

async function readUntil(body: ReadableStream<Uint8Array>, fragment: string): Promise<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!text.includes(fragment)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

describe('gateway: Server-Sent Events', () => {
  let upstreams: Upstreams;
  let tokens: TestTokens;
  let app: ServiceApp;
  let base: string;

  beforeAll(async () => {
    upstreams = await startUpstreams();
    tokens = await createTestTokens();
    // A body timeout far shorter than the stream: streams must not be subject to it. (It caps the
    // stream's headers timeout too: not so short that 140 streams opening at once on a busy
    // machine miss it.)
    ({ app } = await startGateway(upstreams, tokens.verifier, { UPSTREAM_TIMEOUT_MS: '1000' }));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app.close();
    await upstreams.close();
  });

  it('when a client opens the stream with ?access_token, then events flow through unbuffered and uncompressed', async () => {
    const token = await tokens.sign('u1', 'buyer');
    const abort = new AbortController();
    const response = await fetch(`${base}/api/notifications/stream?access_token=${token}&x=1`, {
      // Compression would hold events back until a block fills: the stream is never compressed.
      headers: { 'accept-encoding': 'br, gzip' },
      signal: abort.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('content-encoding')).toBeNull();
    // The token travels upstream as a header, not in the URL.
    expect(response.headers.get('x-seen-authorization')).toBe(`Bearer ${token}`);
    expect(response.headers.get('x-seen-url')).toBe('/api/notifications/stream?x=1');
    expect(response.headers.get('x-request-id')).toBeTruthy();

    // Events 50 ms apart, read over more than the 1 s body timeout.
    const text = await readUntil(response.body!, 'data: {"n":25}');
    expect(text).toContain(': connected');
    expect(text).toContain('data: {"n":1}');

    abort.abort();
    await waitFor(() => (upstreams.notification.openStreams() === 0 ? true : undefined), {
      what: 'the upstream stream to close',
    });
  });

  it('when no token or a bad one is given, then the stream is 401', async () => {
    expect((await fetch(`${base}/api/notifications/stream`)).status).toBe(401);
    const bad = await fetch(`${base}/api/notifications/stream?access_token=nope`);
    expect(bad.status).toBe(401);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(((await bad.json()) as { code: string }).code).toBe('invalid-token');
  });

  it('when more streams are open than a connection pool usually holds, then each still gets its headers at once', async () => {
    // Each stream holds an upstream connection for its whole life: a pool cap (undici's were
    // 128 here) would leave the next stream hanging without headers.
    const streams = 140;
    const authorization = await tokens.bearer('u3', 'buyer');
    const abort = new AbortController();
    const responses = await Promise.all(
      Array.from({ length: streams }, () =>
        fetch(`${base}/api/notifications/stream`, {
          headers: { authorization },
          signal: AbortSignal.any([abort.signal, AbortSignal.timeout(20_000)]),
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array.from({ length: streams }, () => 200));
    expect(upstreams.notification.openStreams()).toBe(streams);
    abort.abort();
    await waitFor(() => (upstreams.notification.openStreams() === 0 ? true : undefined), {
      what: 'the upstream streams to close',
    });
  });

  it('when the gateway closes, then open streams end instead of holding it up', async () => {
    const response = await fetch(`${base}/api/notifications/stream`, {
      headers: { authorization: await tokens.bearer('u2', 'buyer') },
    });
    await readUntil(response.body!, ': connected');
    await app.close();
    await waitFor(() => (upstreams.notification.openStreams() === 0 ? true : undefined), {
      what: 'the upstream stream to close',
    });
  });
});
