import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTokens, type TestTokens } from '@marketplace/testing';
import type { ServiceApp } from '@marketplace/service-kit';
import type { OpsListener } from '../src/edge/ops-listener.ts';
import { rawGet } from './raw-http.ts';
import { startGateway, startUpstreams, type Upstreams, fakeSpaBuild } from './upstreams.ts';

type Headers = Record<string, string | string[] | number | undefined>;

/** A CSP header as directive name → its sources. */
function directives(headers: Headers): Record<string, string[]> {
  const policy = String(headers['content-security-policy'] ?? '');
  const result: Record<string, string[]> = {};
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) result[name] = sources;
  }
  return result;
}

function expectCommonHeaders(headers: Headers): void {
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
  expect(headers['x-powered-by']).toBeUndefined();
}

function expectSpaPolicy(headers: Headers): void {
  expectCommonHeaders(headers);
  expect(directives(headers)).toEqual({
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', 'https:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  });
}

function expectApiPolicy(headers: Headers): void {
  expectCommonHeaders(headers);
  expect(directives(headers)).toEqual({
    'default-src': ["'none'"],
    'frame-ancestors': ["'none'"],
  });
}

const corsHeaders = (headers: Headers) =>
  Object.keys(headers).filter((name) => name.startsWith('access-control-'));

describe('gateway edge: security headers', () => {
  let upstreams: Upstreams;
  let tokens: TestTokens;
  let spa: Awaited<ReturnType<typeof fakeSpaBuild>>;
  let app: ServiceApp;

  beforeAll(async () => {
    upstreams = await startUpstreams();
    tokens = await createTestTokens();
    spa = await fakeSpaBuild('<!doctype html><title>SPA</title>');
    ({ app } = await startGateway(upstreams, tokens.verifier, { FRONTEND_DIST: spa.dir }));
  });

  afterAll(async () => {
    await app.close();
    await upstreams.close();
    await spa.remove();
  });

  it.each(['/', '/products/3f2a', '/assets/app-3f2a1b.js'])(
    'when GET %s (the shell or an asset), then the SPA policy with no inline script',
    async (url) => {
      const response = await app.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(200);
      expectSpaPolicy(response.headers);
      expect(directives(response.headers)['script-src']).not.toContain("'unsafe-inline'");
    },
  );

  it('when an API answer passes through, then nosniff and a deny-all policy', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/products' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('application/json');
    expectApiPolicy(response.headers);
  });

  it('when the gateway answers with a problem, then it carries the same headers', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/orders' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<{ code: string }>().code).toBe('unauthorized');
    expectApiPolicy(response.headers);
  });

  it('when no route matches, then the 404 problem is not sniffable either', async () => {
    const response = await app.inject({ method: 'POST', url: '/products' });
    expect(response.statusCode).toBe(404);
    expect(response.json<{ code: string }>().code).toBe('not-found');
    expectCommonHeaders(response.headers);
  });

  it('when HSTS_MAX_AGE is not set, then no Strict-Transport-Security', async () => {
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('gateway edge: HSTS when configured for TLS', () => {
  let upstreams: Upstreams;
  let app: ServiceApp;

  beforeAll(async () => {
    upstreams = await startUpstreams();
    const tokens = await createTestTokens();
    ({ app } = await startGateway(upstreams, tokens.verifier, { HSTS_MAX_AGE: '31536000' }));
  });

  afterAll(async () => {
    await app.close();
    await upstreams.close();
  });

  it.each(['/', '/api/products'])('when GET %s, then HSTS with includeSubDomains', async (url) => {
    const response = await app.inject({ method: 'GET', url });
    expect(response.headers['strict-transport-security']).toBe(
      'max-age=31536000; includeSubDomains',
    );
  });
});

describe('gateway edge: CORS', () => {
  const allowed = 'https://shop.example.com';
  let upstreams: Upstreams;
  let tokens: TestTokens;
  let app: ServiceApp;
  let sameOriginOnly: ServiceApp;

  beforeAll(async () => {
    upstreams = await startUpstreams();
    tokens = await createTestTokens();
    ({ app } = await startGateway(upstreams, tokens.verifier, {
      CORS_ORIGINS: `${allowed}, https://admin.example.com`,
    }));
    ({ app: sameOriginOnly } = await startGateway(upstreams, tokens.verifier));
  });

  afterAll(async () => {
    await app.close();
    await sameOriginOnly.close();
    await upstreams.close();
  });

  it('when an allowed origin calls, then its origin is allowed with credentials', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/api/products',
      headers: { origin: allowed },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe(allowed);
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    expect(response.headers['access-control-expose-headers']).toContain('X-Request-Id');
    expect(response.headers.vary).toContain('Origin');
  });

  it('when an allowed origin sends a preflight, then 204 with the methods and headers', async () => {
    const response = await app.inject({
      method: 'OPTIONS',
      url: '/api/orders',
      headers: {
        origin: allowed,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key',
      },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe(allowed);
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    expect(String(response.headers['access-control-allow-methods']).split(', ')).toEqual(
      expect.arrayContaining(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    );
    expect(String(response.headers['access-control-allow-headers']).split(', ')).toEqual(
      expect.arrayContaining([
        'Authorization',
        'Content-Type',
        'Idempotency-Key',
        'X-Request-Id',
        'X-Session-Transport',
      ]),
    );
    expect(response.headers['access-control-max-age']).toBe('600');
  });

  it.each([
    ['GET', {}],
    ['OPTIONS', { 'access-control-request-method': 'DELETE' }],
  ])('when another origin sends %s, then no CORS header at all', async (method, extra) => {
    const response = await app.inject({
      method: method as 'GET',
      url: '/api/orders/abc',
      headers: { origin: 'https://evil.example.net', ...extra },
    });
    expect(corsHeaders(response.headers)).toEqual([]);
  });

  it('when an origin differs only by scheme or port, then it is not allowed', async () => {
    for (const origin of ['http://shop.example.com', 'https://shop.example.com:8443']) {
      const response = await app.inject({
        method: 'GET',
        url: '/api/products',
        headers: { origin },
      });
      expect(corsHeaders(response.headers)).toEqual([]);
    }
  });

  it('when CORS_ORIGINS is empty, then no CORS header even for a preflight', async () => {
    const response = await sameOriginOnly.inject({
      method: 'OPTIONS',
      url: '/api/orders',
      headers: { origin: allowed, 'access-control-request-method': 'POST' },
    });
    expect(corsHeaders(response.headers)).toEqual([]);
  });
});

describe('gateway edge: ops endpoints', () => {
  let upstreams: Upstreams;
  let app: ServiceApp;
  let ops: OpsListener;
  let publicUrl: string;
  let opsUrl: string;

  beforeAll(async () => {
    upstreams = await startUpstreams();
    const tokens = await createTestTokens();
    ({ app, ops } = await startGateway(upstreams, tokens.verifier));
    publicUrl = await app.listen({ port: 0, host: '127.0.0.1' });
    opsUrl = await ops.listen();
  });

  afterAll(async () => {
    await app.close();
    await upstreams.close();
  });

  it.each(['/metrics', '/ready', '/metrics?format=text'])(
    'when %s is asked for on the public port, then 404 and nothing about the process',
    async (path) => {
      const { status, body } = await rawGet(publicUrl, path);
      expect(status).toBe(404);
      expect(body).not.toContain('http_request_duration_seconds');
      expect(body).not.toContain('jwks');
    },
  );

  it('when /metrics is injected on the public app, then a 404 problem', async () => {
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(404);
    expect(response.json<{ code: string }>().code).toBe('not-found');
  });

  it('when /health is asked for on the public port, then the load balancer sees it live', async () => {
    const response = await fetch(`${publicUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('when the ops listener is asked, then it answers /metrics, /ready and /health', async () => {
    expect(await (await fetch(`${opsUrl}/metrics`)).text()).toContain(
      'http_request_duration_seconds',
    );
    expect(await (await fetch(`${opsUrl}/ready`)).json()).toMatchObject({ status: 'ready' });
    expect((await fetch(`${opsUrl}/health`)).status).toBe(200);
  });

  it('when the ops listener is asked for the API or the SPA, then it serves neither', async () => {
    for (const path of ['/api/products', '/', '/api/docs/openapi.json']) {
      expect((await fetch(`${opsUrl}${path}`)).status).toBe(404);
    }
  });
});
