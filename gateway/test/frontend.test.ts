import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTokens, type TestTokens } from '@marketplace/testing';
import type { ServiceApp } from '@marketplace/service-kit';
import { rawGet } from './raw-http.ts';
import { startGateway, startUpstreams, type Upstreams, fakeSpaBuild } from './upstreams.ts';

const INDEX = '<!doctype html><title>Marketplace SPA</title><div id="app"></div>';

describe('gateway: the frontend', () => {
  let upstreams: Upstreams;
  let tokens: TestTokens;
  let spa: Awaited<ReturnType<typeof fakeSpaBuild>>;
  let app: ServiceApp;

  beforeAll(async () => {
    upstreams = await startUpstreams();
    tokens = await createTestTokens();
    spa = await fakeSpaBuild(INDEX, { 'favicon.svg': '<svg/>' });
    ({ app } = await startGateway(upstreams, tokens.verifier, { FRONTEND_DIST: spa.dir }));
  });

  afterAll(async () => {
    await app.close();
    await upstreams.close();
    await spa.remove();
  });

  it.each(['/', '/products/3f2a', '/orders?tab=open', '/index.html'])(
    'when GET %s, then the SPA shell is served, not cached stale',
    async (url) => {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toContain('text/html');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.body).toBe(INDEX);
    },
  );

  it('when a built asset is asked for, then it is served with a long cache', async () => {
    const response = await app.inject({ method: 'GET', url: '/assets/app-3f2a1b.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('javascript');
    expect(response.headers['cache-control']).toContain('immutable');
    expect((await app.inject({ method: 'GET', url: '/favicon.svg' })).body).toBe('<svg/>');
  });

  it.each([
    ['GET', '/assets/missing.js'],
    ['GET', '/api/nothing-here'],
    ['GET', '/internal/products'],
    ['POST', '/products'],
  ])('when %s %s, then 404 problem+json, not the shell', async (method, url) => {
    const response = await app.inject({ method: method as 'GET', url });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<{ code: string }>().code).toBe('not-found');
  });

  it('when a path tries to leave the build folder, then no outside file is served', async () => {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const { body } = await rawGet(base, '/..%2f..%2f..%2f..%2fetc%2fpasswd');
    expect(body).not.toContain('root:');
  });
});

describe('gateway: the frontend, precompressed', () => {
  const ASSET = 'console.log("app")';
  let upstreams: Upstreams;
  let spa: Awaited<ReturnType<typeof fakeSpaBuild>>;
  let app: ServiceApp;

  /** `.br` and `.gz` beside a file, as the Vite build writes them. */
  async function precompressed(name: string, content: string): Promise<void> {
    await writeFile(join(spa.dir, `${name}.br`), brotliCompressSync(content));
    await writeFile(join(spa.dir, `${name}.gz`), gzipSync(content));
  }

  beforeAll(async () => {
    upstreams = await startUpstreams();
    const tokens = await createTestTokens();
    spa = await fakeSpaBuild(INDEX, { 'favicon.svg': '<svg/>' });
    await precompressed('index.html', INDEX);
    await precompressed('assets/app-3f2a1b.js', ASSET);
    ({ app } = await startGateway(upstreams, tokens.verifier, { FRONTEND_DIST: spa.dir }));
  });

  afterAll(async () => {
    await app.close();
    await upstreams.close();
    await spa.remove();
  });

  const get = (url: string, acceptEncoding?: string) =>
    app.inject({
      method: 'GET',
      url,
      headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding },
    });

  it.each([
    ['gzip, deflate, br', 'br'],
    ['br;q=1.0, gzip;q=0.8', 'br'],
    ['gzip', 'gzip'],
    ['gzip;q=1, br;q=0', 'gzip'],
  ])(
    'when a hashed asset is asked for with Accept-Encoding %s, then %s is sent, still immutable',
    async (acceptEncoding, encoding) => {
      const response = await get('/assets/app-3f2a1b.js', acceptEncoding);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-encoding']).toBe(encoding);
      // The type of the file itself (not application/x-brotli), as the uncompressed answer says.
      expect(response.headers['content-type']).toBe('application/javascript; charset=utf-8');
      expect(response.headers['content-type']).toBe(
        (await get('/assets/app-3f2a1b.js')).headers['content-type'],
      );
      expect(response.headers['vary']).toContain('accept-encoding');
      expect(response.headers['cache-control']).toContain('immutable');
      expect(response.headers['cache-control']).toContain('max-age=31536000');
      const decode = encoding === 'br' ? brotliDecompressSync : gunzipSync;
      expect(decode(response.rawPayload).toString()).toBe(ASSET);
    },
  );

  it.each([undefined, 'identity', 'deflate'])(
    'when Accept-Encoding is %s, then the file itself is sent, with Vary',
    async (acceptEncoding) => {
      const response = await get('/assets/app-3f2a1b.js', acceptEncoding);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-encoding']).toBeUndefined();
      expect(response.headers['vary']).toContain('accept-encoding');
      expect(response.headers['cache-control']).toContain('immutable');
      expect(response.body).toBe(ASSET);
    },
  );

  it.each(['/', '/products/3f2a', '/index.html'])(
    'when GET %s accepting brotli, then the compressed shell, still no-cache, with the SPA policy',
    async (url) => {
      const response = await get(url, 'gzip, deflate, br');
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-encoding']).toBe('br');
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-cache');
      expect(response.headers['vary']).toContain('accept-encoding');
      expect(response.headers['content-security-policy']).toContain("script-src 'self'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(brotliDecompressSync(response.rawPayload).toString()).toBe(INDEX);
    },
  );

  it('when the shell is asked for accepting gzip only, then gzip, no-cache', async () => {
    const response = await get('/orders', 'gzip');
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(gunzipSync(response.rawPayload).toString()).toBe(INDEX);
  });

  it('when a file has no compressed variant, then it is sent as it is', async () => {
    const response = await get('/favicon.svg', 'gzip, deflate, br');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBeUndefined();
    expect(response.headers['content-type']).toContain('image/svg+xml');
    expect(response.body).toBe('<svg/>');
  });
});

describe('gateway: no frontend build', () => {
  let upstreams: Upstreams;
  let app: ServiceApp;

  beforeAll(async () => {
    upstreams = await startUpstreams();
    const tokens = await createTestTokens();
    ({ app } = await startGateway(upstreams, tokens.verifier, {
      FRONTEND_DIST: join(tmpdir(), 'gateway-no-such-dist'),
    }));
  });

  afterAll(async () => {
    await app.close();
    await upstreams.close();
  });

  it('when the SPA is asked for, then a 503 page says how to build it, and the API still works', async () => {
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(503);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('npm run build:frontend');
    expect((await app.inject({ method: 'GET', url: '/api/products' })).statusCode).toBe(200);
  });
});
