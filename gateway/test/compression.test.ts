import { Readable } from 'node:stream';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTokens } from '@marketplace/testing';
import type { ServiceApp } from '@marketplace/service-kit';
import { startGateway, startUpstreams, type Upstreams } from './upstreams.ts';

/** About the size of the catalog's first page with facets (~10 KB). */
const LISTING = JSON.stringify({
  items: Array.from({ length: 40 }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    title: `Desk lamp model ${i}`,
    priceMinor: 1999 + i,
    currency: 'EUR',
    attributes: { colour: 'black', size: 'M' },
  })),
  nextCursor: null,
  facets: { categories: [{ id: 'lamps', count: 40 }] },
});
const SMALL = JSON.stringify({ id: 'p1', title: 'Lamp' });
const PROBLEM = JSON.stringify({
  type: 'https://marketplace.local/problems/validation-error',
  title: 'Bad Request',
  status: 400,
  code: 'validation-error',
  detail: 'Some fields are wrong.',
  errors: Array.from({ length: 30 }, (_, i) => ({
    field: `attr.k${i}`,
    message: 'is not allowed',
  })),
});
const STRONG_ETAG = '"listing-v7"';

/** A product-service stand-in with answers of each kind, as the real one sends them. */
async function startCatalog(): Promise<{ url: string; app: FastifyInstance }> {
  const app = Fastify();
  const send =
    (type: string, body: string, status = 200) =>
    async (_request: unknown, reply: FastifyReply) =>
      reply.code(status).type(type).header('vary', 'Accept-Language').send(body);
  app.get('/api/products', send('application/json; charset=utf-8', LISTING));
  app.get('/api/products/small', send('application/json; charset=utf-8', SMALL));
  app.get('/api/products/invalid', send('application/problem+json', PROBLEM, 400));
  app.get('/api/products/text', send('text/plain; charset=utf-8', LISTING));
  app.get('/api/products/tagged', async (request, reply) => {
    reply.header('etag', STRONG_ETAG).type('application/json');
    if (request.headers['if-none-match'] === `W/${STRONG_ETAG}`) return reply.code(304).send();
    return reply.send(LISTING);
  });
  // Streamed without a Content-Length (chunked), as a service streaming a large export would.
  app.get('/api/products/streamed', async (_request, reply) =>
    reply
      .type('application/json')
      .send(
        Readable.from([LISTING.slice(0, 4000), LISTING.slice(4000)].map((s) => Buffer.from(s))),
      ),
  );
  // Announces 5,000 bytes, sends a few, and breaks off.
  app.get('/api/products/broken', async (_request, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'application/json', 'content-length': '5000' });
    reply.raw.write('{"items":[');
    setTimeout(() => reply.raw.destroy(), 20);
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, app };
}

describe('gateway: compression of large JSON answers', () => {
  let upstreams: Upstreams;
  let catalog: Awaited<ReturnType<typeof startCatalog>>;
  let app: ServiceApp;

  beforeAll(async () => {
    const tokens = await createTestTokens();
    [upstreams, catalog] = await Promise.all([startUpstreams(), startCatalog()]);
    ({ app } = await startGateway({ ...upstreams, product: catalog }, tokens.verifier));
  });

  afterAll(async () => {
    await app.close();
    await catalog.app.close();
    await upstreams.close();
  });

  const get = (url: string, acceptEncoding?: string, method: 'GET' | 'HEAD' = 'GET') =>
    app.inject({
      method,
      url,
      headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
    });
  const varyOf = (headers: { vary?: string | string[] | number }) =>
    String(headers.vary ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase());

  it('when a client accepts brotli, then a large listing comes brotli-compressed and whole', async () => {
    const response = await get('/api/products?facets=true', 'gzip, deflate, br');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.rawPayload.length).toBeLessThan(LISTING.length / 3);
    expect(brotliDecompressSync(response.rawPayload).toString()).toBe(LISTING);
    expect(response.headers['content-length']).toBe(String(response.rawPayload.length));
    expect(varyOf(response.headers)).toEqual(['accept-language', 'accept-encoding']);
  });

  it('when a client accepts gzip only, then it comes gzipped', async () => {
    const response = await get('/api/products', 'gzip');
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(response.rawPayload).toString()).toBe(LISTING);
  });

  it('when a client accepts no encoding, then it comes as is, still varying by Accept-Encoding', async () => {
    const response = await get('/api/products');
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.body).toBe(LISTING);
    expect(varyOf(response.headers)).toContain('accept-encoding');
  });

  it('when a large answer streams without a length, then it is compressed as it streams', async () => {
    const response = await get('/api/products/streamed', 'br');
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers['content-length']).toBeUndefined();
    expect(brotliDecompressSync(response.rawPayload).toString()).toBe(LISTING);
  });

  it('when an answer to compress breaks off before it is whole, then 502 problem+json', async () => {
    const response = await get('/api/products/broken', 'gzip');
    expect(response.statusCode).toBe(502);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.json<{ code: string }>().code).toBe('bad-gateway');
  });

  it('when an answer to pass as is breaks off before it is whole, then 502 problem+json too', async () => {
    const response = await get('/api/products/broken');
    expect(response.statusCode).toBe(502);
    expect(response.json<{ code: string }>().code).toBe('bad-gateway');
  });

  it('when an answer is small, then it is not compressed', async () => {
    const response = await get('/api/products/small', 'br, gzip');
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.body).toBe(SMALL);
    expect(varyOf(response.headers)).toEqual(['accept-language']);
  });

  it('when a large problem+json comes back, then it is compressed too', async () => {
    const response = await get('/api/products/invalid', 'gzip');
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(response.rawPayload).toString()).toBe(PROBLEM);
  });

  it('when a large answer is not JSON, then it passes as is', async () => {
    const response = await get('/api/products/text', 'br, gzip');
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.body).toBe(LISTING);
  });

  it('when HEAD is asked, then nothing is compressed', async () => {
    const response = await get('/api/products', 'br', 'HEAD');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBeUndefined();
  });

  it('when a compressed answer had a strong ETag, then it is weak, and revalidating it gives a bare 304', async () => {
    const response = await get('/api/products/tagged', 'br');
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers.etag).toBe(`W/${STRONG_ETAG}`);
    const revalidated = await app.inject({
      method: 'GET',
      url: '/api/products/tagged',
      headers: { 'accept-encoding': 'br', 'if-none-match': `W/${STRONG_ETAG}` },
    });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.headers['content-encoding']).toBeUndefined();
    expect(revalidated.body).toBe('');
  });
});
