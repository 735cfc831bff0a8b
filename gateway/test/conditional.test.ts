import { request as httpRequest } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTokens } from '@marketplace/testing';
import type { ServiceApp } from '@marketplace/service-kit';
import { startGateway, startUpstreams, type Upstreams } from './upstreams.ts';

const ETAG = 'W/"v1-lamp"';
const LAST_MODIFIED = 'Tue, 01 Dec 2026 08:00:00 GMT';
const VALIDATORS = {
  etag: ETAG,
  'cache-control': 'public, no-cache',
  vary: 'Accept-Language',
  'last-modified': LAST_MODIFIED,
};
/** What the client gets: CORS varies every answer by Origin, and the upstream's Vary is kept. */
const AT_CLIENT = { ...VALIDATORS, vary: 'Origin, Accept-Language' };
const PRODUCT = { id: 'p1', name: 'Lamp', version: 1 };

/**
 * A product-service stand-in that answers conditional requests as the real one does (If-None-Match
 * and If-Modified-Since → 304, If-Match → 412 or 428), and records the validators it was sent.
 */
async function startConditionalUpstream(): Promise<{
  url: string;
  app: FastifyInstance;
  seen: Record<string, string | undefined>[];
}> {
  const app = Fastify();
  const seen: Record<string, string | undefined>[] = [];
  app.addHook('onRequest', async (request) => {
    const { headers } = request;
    seen.push({
      'if-none-match': headers['if-none-match'],
      'if-match': headers['if-match'],
      'if-modified-since': headers['if-modified-since'],
    });
  });
  app.get('/api/products/p1', async (request, reply) => {
    reply.headers(VALIDATORS);
    const { headers } = request;
    const unchanged =
      headers['if-none-match'] !== undefined
        ? headers['if-none-match'] === ETAG
        : headers['if-modified-since'] === LAST_MODIFIED;
    return unchanged ? reply.code(304).send() : PRODUCT;
  });
  app.patch('/api/products/p1', async (request, reply) => {
    const ifMatch = request.headers['if-match'];
    if (ifMatch === undefined) return reply.code(428).send({ code: 'precondition-required' });
    if (ifMatch !== ETAG) return reply.code(412).send({ code: 'precondition-failed' });
    return reply.header('etag', 'W/"v2-lamp"').send({ ...PRODUCT, version: 2 });
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, app, seen };
}

/** A GET over a real socket, to see the bytes a 304 carries (inject does not write a socket). */
function rawRequest(
  base: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('gateway: validators and conditional requests pass through', () => {
  let upstreams: Upstreams;
  let product: Awaited<ReturnType<typeof startConditionalUpstream>>;
  let app: ServiceApp;
  let seller: string;

  beforeAll(async () => {
    const tokens = await createTestTokens();
    [upstreams, product] = await Promise.all([startUpstreams(), startConditionalUpstream()]);
    // CORS on, so its hook is in the chain these headers go through.
    ({ app } = await startGateway(
      { ...upstreams, product: { ...upstreams.product, url: product.url } },
      tokens.verifier,
      { CORS_ORIGINS: 'http://shop.test' },
    ));
    seller = await tokens.bearer('00000000-0000-4000-8000-0000000000a1', 'seller');
  });

  afterAll(async () => {
    await app.close();
    await product.app.close();
    await upstreams.close();
  });

  it('when the upstream answers 200, then ETag, Cache-Control, Vary and Last-Modified reach the client', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/products/p1' });
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject(AT_CLIENT);
    expect(response.json()).toEqual(PRODUCT);
  });

  it("when CORS varies the answer by Origin, then the upstream's Vary is added to it, not put in its place", async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/products/p1',
      headers: { origin: 'http://shop.test' },
    });
    expect(response.headers['access-control-allow-origin']).toBe('http://shop.test');
    const vary = String(response.headers.vary)
      .split(',')
      .map((name) => name.trim().toLowerCase());
    expect(vary).toEqual(expect.arrayContaining(['origin', 'accept-language']));
  });

  it('when the client revalidates with If-None-Match, then the upstream gets it and the 304 comes back bodiless', async () => {
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const response = await rawRequest(address, '/api/products/p1', {
      'if-none-match': ETAG,
      origin: 'http://shop.test',
    });
    expect(product.seen.at(-1)?.['if-none-match']).toBe(ETAG);
    expect(response.status).toBe(304);
    expect(response.body).toBe('');
    expect(response.headers).toMatchObject(AT_CLIENT);
    expect(response.headers['transfer-encoding']).toBeUndefined();
  });

  it('when the client revalidates with If-Modified-Since, then the upstream gets it and 304 comes back', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/products/p1',
      headers: { 'if-modified-since': LAST_MODIFIED },
    });
    expect(product.seen.at(-1)?.['if-modified-since']).toBe(LAST_MODIFIED);
    expect(response.statusCode).toBe(304);
    expect(response.body).toBe('');
    expect(response.headers.etag).toBe(ETAG);
  });

  it('when the ETag sent is stale, then the full 200 comes back', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/products/p1',
      headers: { 'if-none-match': 'W/"v0-lamp"' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual(PRODUCT);
  });

  it('when a write carries If-Match, then the upstream gets it and its answer comes back', async () => {
    const response = await app.inject({
      method: 'PATCH',
      url: '/api/products/p1',
      headers: { authorization: seller, 'if-match': ETAG, 'content-type': 'application/json' },
      payload: '{"name":"Lamp"}',
    });
    expect(product.seen.at(-1)?.['if-match']).toBe(ETAG);
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('W/"v2-lamp"');
  });

  it.each([
    ['a stale If-Match', 412, { 'if-match': 'W/"v0-lamp"' }],
    ['no If-Match', 428, {}],
  ])(
    'when a write carries %s, then the upstream %i is passed through',
    async (_case, status, extra) => {
      const response = await app.inject({
        method: 'PATCH',
        url: '/api/products/p1',
        headers: { authorization: seller, 'content-type': 'application/json', ...extra },
        payload: '{"name":"Lamp"}',
      });
      expect(response.statusCode).toBe(status);
      expect(response.json<{ code: string }>().code).toBe(
        status === 412 ? 'precondition-failed' : 'precondition-required',
      );
    },
  );

  it('when a browser on an allowed origin asks, then it may send If-Match and If-None-Match and read the ETag', async () => {
    const preflight = await app.inject({
      method: 'OPTIONS',
      url: '/api/products/p1',
      headers: {
        origin: 'http://shop.test',
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'if-match,if-none-match',
      },
    });
    const allowed = String(preflight.headers['access-control-allow-headers']).toLowerCase();
    expect(allowed).toContain('if-match');
    expect(allowed).toContain('if-none-match');
    const response = await app.inject({
      method: 'GET',
      url: '/api/products/p1',
      headers: { origin: 'http://shop.test' },
    });
    expect(String(response.headers['access-control-expose-headers'])).toContain('ETag');
  });
});
