import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
