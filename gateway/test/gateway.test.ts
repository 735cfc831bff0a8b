import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTokens, type TestTokens } from '@marketplace/testing';
import type { ServiceApp } from '@marketplace/service-kit';
import type { OpsListener } from '../src/edge/ops-listener.ts';
import { rawGet } from './raw-http.ts';
import { deadUrl, startGateway, startUpstreams, type Echo, type Upstreams } from './upstreams.ts';

describe('gateway: routing, authentication, request ids', () => {
  let upstreams: Upstreams;
  let tokens: TestTokens;
  let app: ServiceApp;
  let ops: OpsListener;
  let buyer: string;

  beforeAll(async () => {
    upstreams = await startUpstreams();
    tokens = await createTestTokens();
    ({ app, ops } = await startGateway(upstreams, tokens.verifier));
    buyer = await tokens.bearer('00000000-0000-4000-8000-0000000000b1', 'buyer');
  });

  afterAll(async () => {
    await app.close();
    await upstreams.close();
  });

  it.each([
    ['GET', '/api/users/me', 'user'],
    ['GET', '/api/users', 'user'],
    ['POST', '/api/auth/register', 'user'],
    ['GET', '/api/products?q=lamp&limit=5', 'product'],
    ['GET', '/api/products/abc', 'product'],
    ['GET', '/api/categories', 'product'],
    ['POST', '/api/orders', 'order'],
    ['GET', '/api/orders/abc/history', 'order'],
    ['GET', '/api/seller/orders', 'order'],
    ['GET', '/api/seller/summary', 'order'],
    ['GET', '/api/seller/products?status=archived', 'product'],
    ['GET', '/api/notifications?unread=true', 'notification'],
    ['POST', '/api/notifications/read-all', 'notification'],
  ])('when %s %s, then %s-service gets the same path and query', async (method, url, service) => {
    const response = await app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: buyer },
    });
    expect(response.statusCode).toBe(200);
    const echo = response.json<Echo>();
    expect(echo).toMatchObject({ service, method, url });
    expect(echo.headers.authorization).toBe(buyer);
  });

  it('when a body is sent, then the upstream gets the same bytes and content type', async () => {
    const body = '{"items":[{"productId":"p1","quantity":2}],  "shippingAddress":"x"}';
    const response = await app.inject({
      method: 'POST',
      url: '/api/orders',
      headers: {
        authorization: buyer,
        'content-type': 'application/json',
        'idempotency-key': 'k1',
      },
      payload: body,
    });
    const echo = response.json<Echo>();
    expect(echo.body).toBe(body);
    expect(echo.headers['content-type']).toBe('application/json');
    expect(echo.headers['idempotency-key']).toBe('k1');
  });

  it.each([
    ['GET', '/api/unknown'],
    ['GET', '/api'],
    ['POST', '/api/health'],
    ['GET', '/api/internal/products/lookup'],
    ['POST', '/internal/stock/reservations'],
    ['GET', '/internal/products'],
  ])('when %s %s, then 404 problem+json and nothing is forwarded', async (method, url) => {
    const response = await app.inject({
      method: method as 'GET',
      url,
      headers: { authorization: buyer },
    });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<{ status: number }>().status).toBe(404);
    expect(response.json<{ code: string }>().code).toBe('not-found');
  });

  it('when a raw path climbs out with dot segments, then 404 and nothing is forwarded', async () => {
    // inject() and fetch() normalize URLs; a real client need not.
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    for (const path of ['/api/products/../../internal/x', '/api/products/%2e%2e/orders']) {
      const { status, body } = await rawGet(address, path);
      expect(status).toBe(404);
      expect(body).toContain('not-found');
    }
  });

  it.each([
    ['POST', '/api/auth/login'],
    ['POST', '/api/auth/refresh'],
    ['POST', '/api/auth/logout'],
    ['GET', '/api/auth/jwks'],
    ['GET', '/api/products/p1'],
    ['GET', '/api/categories'],
  ])('when %s %s has no token, then it is forwarded (public)', async (method, url) => {
    const response = await app.inject({ method: method as 'GET', url });
    expect(response.statusCode).toBe(200);
    expect(response.json<Echo>().headers.authorization).toBeUndefined();
  });

  it.each([
    ['GET', '/api/users/me'],
    ['POST', '/api/products'],
    ['GET', '/api/orders'],
    ['GET', '/api/seller/orders'],
    ['GET', '/api/notifications'],
    ['GET', '/api/auth/sessions'],
  ])('when %s %s has no token, then 401 problem+json', async (method, url) => {
    const response = await app.inject({ method: method as 'GET', url });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.headers['www-authenticate']).toContain('Bearer');
    expect(response.json<{ code: string }>().code).toBe('unauthorized');
  });

  it('when a bad token is sent, then 401 even on a public route', async () => {
    for (const url of ['/api/products', '/api/orders']) {
      const response = await app.inject({
        method: 'GET',
        url,
        headers: { authorization: 'Bearer not.a.token' },
      });
      expect(response.statusCode).toBe(401);
      expect(response.json<{ type: string }>().type).toContain('invalid-token');
      expect(response.json<{ code: string }>().code).toBe('invalid-token');
    }
  });

  it('when no request id is sent, then one is made, returned and forwarded', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/products' });
    const id = response.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.json<Echo>().headers['x-request-id']).toBe(id);
  });

  it('when a valid request id is sent, then the same id is forwarded; a bad one is replaced', async () => {
    const kept = await app.inject({
      method: 'GET',
      url: '/api/products',
      headers: { 'x-request-id': 'req-123' },
    });
    expect(kept.json<Echo>().headers['x-request-id']).toBe('req-123');
    const replaced = await app.inject({
      method: 'GET',
      url: '/api/products',
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(replaced.json<Echo>().headers['x-request-id']).not.toBe('bad id with spaces');
    expect(replaced.json<Echo>().headers['x-request-id']).toBe(replaced.headers['x-request-id']);
  });

  it('when a client sends x-internal-token or X-Forwarded-For, then neither reaches upstream as sent', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/products',
      headers: { 'x-internal-token': 'guess', 'x-forwarded-for': '6.6.6.6' },
    });
    const { headers } = response.json<Echo>();
    expect(headers['x-internal-token']).toBeUndefined();
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it('when a client sends hop-by-hop headers, then the upstream gets none of them and the client none of its own', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/products',
      headers: {
        connection: 'keep-alive, x-hop',
        'x-hop': 'for the gateway only',
        'keep-alive': 'timeout=5',
        'proxy-connection': 'keep-alive',
        te: 'trailers',
        'x-end-to-end': 'kept',
      },
    });
    expect(response.statusCode).toBe(200);
    const { headers } = response.json<Echo>();
    for (const name of ['x-hop', 'keep-alive', 'proxy-connection', 'te']) {
      expect(headers[name]).toBeUndefined();
    }
    expect(headers['x-end-to-end']).toBe('kept');
    // The service's Keep-Alive is about its connection to the gateway.
    expect(response.headers['keep-alive']).toBeUndefined();
  });

  it('when the merged API document is asked for, then it has every service’s /api paths only', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/docs/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json<{
      paths: Record<string, unknown>;
      components: { schemas: object };
    }>();
    expect(Object.keys(doc.paths)).toEqual([
      '/api/notification-things',
      '/api/order-things',
      '/api/product-things',
      '/api/user-things',
    ]);
    expect(Object.keys(doc.components.schemas)).toContain('order.def-0');
  });

  it('when /health, /ready and /metrics are asked for on the ops listener, then the gateway answers itself', async () => {
    const base = await ops.listen();
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const ready = await fetch(`${base}/ready`);
    const up = { circuit: 'closed', ready: 'ok' };
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { jwks: 'ok' },
      jwks: 'current',
      upstreams: { user: up, product: up, order: up, notification: up },
      rateLimit: 'memory',
    });
    expect(await (await fetch(`${base}/metrics`)).text()).toContain(
      'http_request_duration_seconds',
    );
  });
});

describe('gateway: upstream failures', () => {
  let upstreams: Upstreams;
  let tokens: TestTokens;
  let app: ServiceApp;
  let ops: OpsListener;

  beforeAll(async () => {
    upstreams = await startUpstreams();
    tokens = await createTestTokens();
    ({ app, ops } = await startGateway(upstreams, tokens.verifier, {
      ORDER_SERVICE_URL: await deadUrl(),
      JWKS_URL: `${await deadUrl()}/.well-known/jwks.json`,
      // The product stand-in's /api/products/slow never answers.
      UPSTREAM_TIMEOUT_MS: '300',
    }));
  });

  afterAll(async () => {
    await app.close();
    await upstreams.close();
  });

  it('when a service is down, then 503 problem+json with Retry-After, and others still work', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/orders',
      headers: { authorization: await tokens.bearer('u1', 'buyer') },
    });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json<{ detail: string }>().detail).toContain('order');
    expect(response.body).not.toContain('ECONNREFUSED');
    expect(response.json<{ code: string }>().code).toBe('service-unavailable');
    expect((await app.inject({ method: 'GET', url: '/api/products' })).statusCode).toBe(200);
  });

  it('when a service does not answer in time, then 504 problem+json', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/products/slow' });
    expect(response.statusCode).toBe(504);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<{ code: string }>().code).toBe('upstream-timeout');
  });

  it('when the JWKS has never been fetched, then /ready is 503: no token could be verified', async () => {
    const ready = await fetch(`${await ops.listen()}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      checks: { jwks: 'unavailable' },
      jwks: 'none',
      upstreams: { order: { ready: 'unavailable' }, product: { ready: 'ok' } },
    });
  });

  it('when a service document is missing, then the merged API document names the gap', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/docs/openapi.json' });
    expect(
      response.json<{ 'x-unavailable-services': string[] }>()['x-unavailable-services'],
    ).toEqual(['order']);
  });
});

describe('gateway: readiness', () => {
  let upstreams: Upstreams;
  let jwks: FastifyInstance;
  let jwksHangs = false;
  let app: ServiceApp;
  let opsUrl: string;

  // As the kubelet asks (deploy/k8s: timeoutSeconds 3): an answer later than that is a failure.
  const ready = async () => {
    const response = await fetch(`${opsUrl}/ready`, { signal: AbortSignal.timeout(3_000) });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    upstreams = await startUpstreams();
    jwks = Fastify();
    jwks.get('/.well-known/jwks.json', () =>
      jwksHangs ? new Promise(() => undefined) : Promise.resolve({ keys: [] }),
    );
    const jwksUrl = await jwks.listen({ port: 0, host: '127.0.0.1' });
    let ops: OpsListener;
    ({ app, ops } = await startGateway(upstreams, (await createTestTokens()).verifier, {
      ORDER_SERVICE_URL: await deadUrl(),
      JWKS_URL: `${jwksUrl}/.well-known/jwks.json`,
    }));
    opsUrl = await ops.listen();
  });

  afterAll(async () => {
    await app.close();
    jwks.server.closeAllConnections();
    await jwks.close();
    await upstreams.close();
  });

  it('when one service is down, then the gateway stays ready and names it', async () => {
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ready',
      upstreams: {
        order: { circuit: 'closed', ready: 'unavailable' },
        product: { circuit: 'closed', ready: 'ok' },
      },
    });
  });

  it('when the JWKS hangs after it was fetched, then /ready still answers in time, ready on the keys it has', async () => {
    jwksHangs = true;
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ready', jwks: 'last-known' });
  });

  it('when the JWKS goes away after it was fetched, then the gateway stays ready on the keys it has', async () => {
    jwks.server.closeAllConnections();
    await jwks.close();
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ready', checks: { jwks: 'ok' }, jwks: 'last-known' });
  });
});
