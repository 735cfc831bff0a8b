import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Counter } from 'prom-client';
import { Type } from 'typebox';
import { createServiceApp, type ServiceApp } from './app.ts';
import { AppError } from './errors.ts';
import { sampleKey } from './logger.ts';

describe('createServiceApp', () => {
  let app: ServiceApp;
  let ready = true;

  beforeAll(async () => {
    app = await createServiceApp({
      name: 'kit-test',
      logger: false,
      readiness: {
        db: async () => {
          if (!ready) throw new Error('down');
        },
      },
    });
    app.post(
      '/things',
      {
        schema: {
          body: Type.Object({
            name: Type.String({ minLength: 2 }),
            count: Type.Integer({ minimum: 1 }),
          }),
          response: { 201: Type.Object({ name: Type.String(), count: Type.Integer() }) },
        },
      },
      async (request, reply) => reply.code(201).send(request.body),
    );
    app.post(
      '/tags',
      {
        schema: {
          body: Type.Object({
            tags: Type.Record(Type.String(), Type.String(), {
              propertyNames: { pattern: '^[a-z]+$' },
            }),
          }),
        },
      },
      async (request) => request.body,
    );
    app.get(
      '/whoami',
      { schema: { headers: Type.Object({ 'x-tenant': Type.String({ minLength: 1 }) }) } },
      async (request) => ({
        tenant: request.headers['x-tenant'],
        authorization: request.headers.authorization ?? null,
      }),
    );
    app.get(
      '/items',
      {
        schema: {
          querystring: Type.Object({
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
            minPrice: Type.Optional(Type.Number()),
          }),
        },
      },
      async (request) => request.query,
    );
    app.get('/items/:id', async (request) => request.params);
    app.get('/conflict', async () => {
      throw AppError.conflict('already-there', 'It is already there.');
    });
    app.get('/boom', async () => {
      throw new Error('SELECT * FROM secret_table');
    });
    await app.ready();
  });

  afterAll(() => app.close());

  it('when the body is invalid, then a 400 problem names every bad field', async () => {
    const res = await app.inject({ method: 'POST', url: '/things', payload: { name: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    const fields = (res.json<{ errors: { field: string }[] }>().errors ?? [])
      .map((e) => e.field)
      .sort();
    expect(fields).toEqual(['count', 'name']);
    expect(res.json()).toMatchObject({ code: 'validation-error' });
  });

  it('when the body has unknown fields, then they are dropped', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      payload: { name: 'ok', count: 2, admin: true },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ name: 'ok', count: 2 });
  });

  it('when a route validates a header, then the headers it did not list are kept', async () => {
    const res = await app.inject({
      url: '/whoami',
      headers: { 'x-tenant': 't1', authorization: 'Bearer abc' },
    });
    expect(res.json()).toEqual({ tenant: 't1', authorization: 'Bearer abc' });
    const missing = await app.inject({ url: '/whoami' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe(
      'headers.x-tenant',
    );
  });

  it('when a body comes as text/plain (what a cross-site form may send), then 415', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ name: 'ab', count: 1 }),
    });
    expect(res.statusCode).toBe(415);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 415, code: 'unsupported-media-type' });
  });

  it('when the JSON is malformed, then the answer is a 400 problem', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
  });

  it('when a handler throws an AppError, then its status and code become the problem', async () => {
    const res = await app.inject({ url: '/conflict', headers: { 'x-request-id': 'req-42' } });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      status: 409,
      type: expect.stringContaining('already-there') as string,
      code: 'already-there',
      detail: 'It is already there.',
      requestId: 'req-42',
    });
    expect(res.headers['x-request-id']).toBe('req-42');
  });

  it('when a handler fails unexpectedly, then a generic 500 leaks nothing', async () => {
    const res = await app.inject({ url: '/boom' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret_table');
    expect(res.json<{ requestId: string }>().requestId).toBeTruthy();
  });

  it('when a map has a key it does not accept, then the problem names that key once', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/tags',
      payload: { tags: { ok: 'x', Bad1: 'y' } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ errors: { field: string }[] }>().errors).toEqual([
      { field: 'tags.Bad1', message: 'is not an accepted name' },
    ]);
  });

  it('when a route does not exist, then a 404 problem answers', async () => {
    const res = await app.inject({ url: '/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({ status: 404, code: 'not-found' });
  });

  it.each([
    [
      'a path parameter is over the router’s length',
      `/items/${'x'.repeat(101)}`,
      414,
      'uri-too-long',
    ],
    ['a path does not percent-decode', '/items/%E0%A4%A', 400, 'invalid-url'],
  ])(
    'when %s, then a problem answers, not Fastify’s plain JSON',
    async (_case, url, status, code) => {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.headers['x-request-id']).toEqual(expect.any(String));
      expect(res.json()).toMatchObject({ status, code });
    },
  );

  it.each([
    ['its headers are too large', `X-Big: ${'a'.repeat(16_400)}\r\n`, 431, 'headers-too-large'],
    [
      'its lengths conflict',
      'Content-Length: 2\r\nContent-Length: 40\r\n',
      400,
      'malformed-request',
    ],
    ['it names two hosts', 'Host: y\r\nConnection: close\r\n', 400, 'malformed-request'],
  ])(
    'when a request cannot be parsed because %s, then a problem answers on the socket',
    async (_case, header, status, code) => {
      const raw = await createServiceApp({ name: 'kit-raw', logger: false });
      const url = new URL(await raw.listen({ host: '127.0.0.1', port: 0 }));
      try {
        const answer = await new Promise<string>((resolve, reject) => {
          const socket = connect(Number(url.port), '127.0.0.1');
          let text = '';
          socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          socket.on('error', reject);
          socket.on('close', () => resolve(text));
          socket.write(`GET /health HTTP/1.1\r\nHost: x\r\n${header}\r\n`);
        });
        const [head = '', body = ''] = answer.split('\r\n\r\n');
        expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
        expect(head.toLowerCase()).toContain('content-type: application/problem+json');
        expect(JSON.parse(body)).toMatchObject({ status, code });
      } finally {
        await raw.close();
      }
    },
  );

  it.each(['Infinity', '1e309', '-Infinity', 'NaN'])(
    'when a number in the query is %s, then a 400 problem names the field',
    async (value) => {
      for (const field of ['limit', 'minPrice']) {
        const res = await app.inject({ url: `/items?${field}=${value}` });
        expect(res.statusCode).toBe(400);
        const problem = res.json<{ code: string; errors: { field: string }[] }>();
        expect(problem.code).toBe('validation-error');
        expect(problem.errors[0]?.field).toBe(`querystring.${field}`);
      }
    },
  );

  it('when numbers in the query are finite, then they are coerced and pass', async () => {
    const res = await app.inject({ url: '/items?limit=5&minPrice=-2.5' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ limit: 5, minPrice: -2.5 });
  });

  it('when a JSON body holds a number too large for a double, then a 400 names it', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":"ok","count":1e309}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('count');
  });

  it('when a request id is malformed, then a fresh one replaces it', async () => {
    const res = await app.inject({ url: '/health', headers: { 'x-request-id': 'bad id\nforged' } });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when a dependency is down, then /ready is 503 while /health stays 200', async () => {
    ready = false;
    expect((await app.inject({ url: '/ready' })).statusCode).toBe(503);
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
    ready = true;
    expect((await app.inject({ url: '/ready' })).statusCode).toBe(200);
  });

  it('when asked, then metrics and the OpenAPI document are served', async () => {
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.body).toContain('http_request_duration_seconds');
    expect(metrics.body).toContain('service="kit-test"');
    const openapi = await app.inject({ url: '/openapi.json' });
    expect(openapi.json<{ paths: Record<string, unknown> }>().paths).toHaveProperty('/things');
  });
});

describe('createServiceApp metrics registry', () => {
  it('when a service registers its own metric on app.metrics, then /metrics serves it', async () => {
    const app = await createServiceApp({ name: 'kit-metrics', logger: false });
    const jobs = new Counter({
      name: 'jobs_done_total',
      help: 'Jobs done',
      registers: [app.metrics],
    });
    jobs.inc(3);
    const res = await app.inject({ url: '/metrics' });
    expect(res.body).toMatch(/jobs_done_total\{service="kit-metrics"\} 3/);
    await app.close();
  });

  it("when the kit's own routes are asked, then they are timed like the service's", async () => {
    const app = await createServiceApp({ name: 'kit-metrics', logger: false });
    await app.inject({ url: '/health' });
    const res = await app.inject({ url: '/metrics' });
    expect(res.body).toMatch(/http_request_duration_seconds_count\{[^}]*route="\/health"[^}]*\} 1/);
    await app.close();
  });
});

describe('createServiceApp with an unavailable-dependency classifier', () => {
  class Unreachable extends Error {
    readonly code = 'ECONNREFUSED';
  }
  const isUnreachable = (error: unknown) => error instanceof Unreachable;

  async function appThrowing(error: Error, unavailable?: (error: unknown) => boolean) {
    const app = await createServiceApp({
      name: 'kit-unavailable',
      logger: false,
      ...(unavailable ? { unavailable } : {}),
    });
    app.get('/work', async () => {
      throw error;
    });
    return app;
  }

  it('when the database cannot be reached, then 503 dependency-unavailable with Retry-After, not 500', async () => {
    const app = await appThrowing(
      new Unreachable('connect ECONNREFUSED 127.0.0.1:3306'),
      isUnreachable,
    );
    const res = await app.inject({ url: '/work' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json<{ code: string }>().code).toBe('dependency-unavailable');
    expect(res.body).not.toContain('3306');
    await app.close();
  });

  it('when an error is not one the classifier names, then it stays a 500', async () => {
    const app = await appThrowing(new Error('a bug'), isUnreachable);
    const res = await app.inject({ url: '/work' });
    expect(res.statusCode).toBe(500);
    expect(res.json<{ code: string }>().code).toBe('internal');
    await app.close();
  });

  it('when a service gives no classifier, then an unreachable database is a 500 as before', async () => {
    const app = await appThrowing(new Unreachable('connect ECONNREFUSED'));
    expect((await app.inject({ url: '/work' })).statusCode).toBe(500);
    await app.close();
  });
});

describe('createServiceApp trusted proxies', () => {
  async function clientIp(trustedProxies: string[] | undefined, remoteAddress: string) {
    const app = await createServiceApp({
      name: 'kit-proxies',
      logger: false,
      ...(trustedProxies ? { config: { TRUSTED_PROXIES: trustedProxies.join(',') } } : {}),
    });
    app.get('/ip', async (request) => ({ ip: request.ip }));
    const res = await app.inject({
      url: '/ip',
      remoteAddress,
      headers: { 'x-forwarded-for': '198.51.100.9' },
    });
    await app.close();
    return res.json<{ ip: string }>().ip;
  }

  it('when a loopback gateway forwards, then by default the address it names is the client', async () => {
    expect(await clientIp(undefined, '127.0.0.1')).toBe('198.51.100.9');
    expect(await clientIp(undefined, '::1')).toBe('198.51.100.9');
  });

  it('when a client that is no trusted proxy sends X-Forwarded-For, then its own address counts', async () => {
    expect(await clientIp(undefined, '203.0.113.5')).toBe('203.0.113.5');
    expect(await clientIp(['10.0.0.0/8'], '127.0.0.1')).toBe('127.0.0.1');
    expect(await clientIp([], '127.0.0.1')).toBe('127.0.0.1');
  });

  it('when the proxy is in a trusted CIDR, then the address it names is the client', async () => {
    expect(await clientIp(['10.0.0.0/8'], '10.1.2.3')).toBe('198.51.100.9');
  });

  it('when a trusted proxy is not an address, then the app refuses to be built', async () => {
    await expect(
      createServiceApp({ name: 'kit-bad', logger: false, config: { TRUSTED_PROXIES: 'x' } }),
    ).rejects.toThrow(/"x"/);
  });
});

describe('request logging', () => {
  it('when a request is served, then exactly one line says method, URL (token redacted), status, time and request id', async () => {
    const lines: Record<string, unknown>[] = [];
    const app = await createServiceApp({
      name: 'kit-logs',
      logStream: { write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    app.get('/things', async () => ({ ok: true }));
    await app.ready();
    const response = await app.inject({
      method: 'GET',
      url: '/things?access_token=secret-value&x=1',
      headers: { 'x-request-id': 'req-42' },
    });
    expect(response.statusCode).toBe(200);
    const requestLines = lines.filter((line) => line.requestId === 'req-42');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      msg: 'request completed',
      method: 'GET',
      url: '/things?access_token=[redacted]&x=1',
      status: 200,
      service: 'kit-logs',
    });
    expect(typeof requestLines[0]?.ms).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('secret-value');
    await app.close();
  });
});

describe('request logging, sampled', () => {
  async function served(sample: number, urls: string[]) {
    const lines: Record<string, unknown>[] = [];
    const app = await createServiceApp({
      name: 'kit-sample',
      config: { LOG_LEVEL: 'info', TRUSTED_PROXIES: '', REQUEST_LOG_SAMPLE: sample },
      logStream: { write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
    app.get('/things', async () => ({ ok: true }));
    app.get('/broken', async () => {
      throw new Error('boom');
    });
    await app.ready();
    for (const [i, url] of urls.entries()) {
      await app.inject({ method: 'GET', url, headers: { 'x-request-id': `req-${i}` } });
    }
    await app.close();
    return lines.filter((line) => typeof line.status === 'number');
  }

  it('when nothing is sampled, then only failures are logged (errors and 4xx), never successes or probes', async () => {
    const lines = await served(0, ['/things', '/health', '/broken', '/nowhere']);
    expect(lines.map((line) => [line.url, line.status])).toEqual([
      ['/broken', 500],
      ['/nowhere', 404],
    ]);
  });

  it('when every success is sampled, then every request but the probes is logged', async () => {
    const lines = await served(1, ['/things', '/health', '/metrics', '/things']);
    expect(lines.map((line) => line.url)).toEqual(['/things', '/things']);
  });

  it('when a share is sampled, then about that share of request ids is, the same id always alike', () => {
    const ids = Array.from({ length: 10_000 }, () => randomUUID());
    const share = ids.filter((id) => sampleKey(id) < 0.1).length / ids.length;
    expect(share).toBeGreaterThan(0.08);
    expect(share).toBeLessThan(0.12);
    expect(sampleKey('req-42')).toBe(sampleKey('req-42'));
  });
});
