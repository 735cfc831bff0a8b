import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_BUYER, DEMO_PASSWORD, DEMO_SELLERS, type Problem } from '@marketplace/contracts';
import { freePort } from '@marketplace/testing';
import { gatewayClient } from '../e2e/client.ts';
import { startStack, type Stack } from '../e2e/stack.ts';
import { httpFrom, rawExchange, type RawAnswer } from './raw-http.ts';

/** The limit of the whole API per address here: low enough to reach, high enough for the rest. */
const API_PER_MINUTE = 150;
const ALLOWED_ORIGIN = 'https://shop.example.com';

interface Session {
  accessToken: string;
}
interface Product {
  id: string;
  title: string;
  description: string;
  images: string[];
  attributes?: Record<string, string>;
}

/** Parses an answer that must be a problem with the given status. */
function problemOf(answer: RawAnswer, status: number): Problem {
  expect(answer.status, answer.text.slice(0, 300)).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(answer.text) as Problem;
  expect(problem.status).toBe(status);
  expect([typeof problem.type, typeof problem.code]).toEqual(['string', 'string']);
  return problem;
}

describe('security: hostile requests at the edge (size, types, headers, injection, SSRF, limits, CORS)', () => {
  let stack: Stack;
  let seller: string;
  let categoryId: string;
  const api = () => gatewayClient(stack.gatewayUrl);
  /** A request from 127.0.0.1 unless a test needs an address of its own. */
  const call = (
    method: string,
    path: string,
    headers: Record<string, string | string[]> = {},
    body?: string | Buffer,
  ) => httpFrom(stack.gatewayUrl, '127.0.0.1', method, path, headers, body);

  const productBody = (overrides: Record<string, unknown> = {}) => ({
    title: `Edge ${randomUUID()}`,
    description: 'A product of the edge suite.',
    priceMinor: 1_000,
    currency: 'EUR',
    stock: 5,
    categoryId,
    images: [],
    ...overrides,
  });
  const ownCount = async (): Promise<number> => {
    const own = await api().get<{ items: unknown[] }>('/api/seller/products?limit=100', seller);
    expect(own.status).toBe(200);
    return own.body.items.length;
  };

  beforeAll(async () => {
    stack = await startStack({
      env: {
        gateway: { RATE_LIMIT_PER_MINUTE: String(API_PER_MINUTE), CORS_ORIGINS: ALLOWED_ORIGIN },
      },
    });
    const email = `edge-seller-${randomUUID()}@example.test`;
    const registered = await api().post<Session>('/api/auth/register', {
      email,
      password: DEMO_PASSWORD,
      name: 'Edge Seller',
      role: 'seller',
    });
    expect(registered.status).toBe(201);
    seller = registered.body.accessToken;
    const categories = await api().get<{ id: string }[]>('/api/categories');
    categoryId = categories.body[0]?.id ?? '';
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('when a body is over the limit or of a type no route reads, then 413 or 415 problems and nothing is stored', async () => {
    const before = await ownCount();
    const auth = { authorization: `Bearer ${seller}` };
    const json = JSON.stringify(productBody());
    const huge = JSON.stringify(productBody({ description: 'x'.repeat(3 * 1024 * 1024) }));
    problemOf(
      await call('POST', '/api/products', { ...auth, 'content-type': 'application/json' }, huge),
      413,
    );
    for (const type of [
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'text/html',
    ]) {
      const problem = problemOf(
        await call('POST', '/api/products', { ...auth, 'content-type': type }, json),
        415,
      );
      expect(problem.code).toBe('unsupported-media-type');
    }
    // A body with no type at all is not taken for JSON either.
    const untyped = await call('POST', '/api/products', auth, json);
    expect([400, 415]).toContain(untyped.status);
    problemOf(untyped, untyped.status);
    expect(await ownCount()).toBe(before);
  });

  it('when headers are abused (too large, conflicting lengths, smuggling, odd auth, odd methods), then 4xx and never a 5xx', async () => {
    const big = await rawExchange(
      stack.gatewayUrl,
      `GET /api/products HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(70_000)}\r\nConnection: close\r\n\r\n`,
    );
    // The gateway may reset the connection while the rest of the headers still arrive.
    if (big.status !== 0) expect(problemOf(big, 431).code).toBe('headers-too-large');
    for (const smuggle of [
      'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 40\r\nConnection: close\r\n\r\n{}',
      'POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n',
      // Two hosts: a proxy before the gateway may route by the one Node drops.
      'GET /api/products HTTP/1.1\r\nHost: x\r\nHost: internal.example\r\nConnection: close\r\n\r\n',
    ]) {
      const answer = await rawExchange(stack.gatewayUrl, smuggle);
      expect(problemOf(answer, 400).code, smuggle).toBe('malformed-request');
      // Node refuses the first two itself; the gateway answers two hosts, with its headers.
      if (smuggle.includes('internal.example'))
        expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.text).not.toMatch(/process_cpu|http_request_duration/);
    }
    for (const authorization of [
      'Bearer',
      'Bearer ',
      'Basic YWRtaW46YWRtaW4=',
      `Bearer ${'a'.repeat(8_000)}`,
      'Bearer a.b.c',
      ['Bearer a.b.c', 'Bearer d.e.f'],
    ]) {
      const problem = problemOf(await call('GET', '/api/users/me', { authorization }), 401);
      expect(problem.detail ?? '').not.toMatch(/\bat |jose|stack/i);
    }
    // A request id that is not ours is replaced, never echoed into a header or a log line.
    const odd = await call('GET', '/api/products?limit=1', {
      'x-request-id': '<script>x</script>',
    });
    expect(odd.status).toBe(200);
    expect(odd.headers['x-request-id']).toMatch(/^[\w.:-]{1,128}$/);
    expect((await call('GET', '/health')).status).toBe(200);
    // CONNECT (a tunnel) has no handler: Node closes the connection without an answer.
    const tunnel = await rawExchange(
      stack.gatewayUrl,
      'CONNECT 127.0.0.1:3306 HTTP/1.1\r\nHost: 127.0.0.1:3306\r\n\r\n',
    );
    expect(tunnel.status === 0 || (tunnel.status >= 400 && tunnel.status < 500)).toBe(true);
    for (const method of ['TRACE', 'PROPFIND']) {
      const answer = await call(method, '/api/products');
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
    }
  });

  it('when SQL and script strings are stored, then they come back byte for byte as JSON and change no query', async () => {
    const hostile = {
      title: `Robert'); DROP TABLE products;-- <script>alert(1)</script> ${randomUUID()}`,
      description: `" OR 1=1 -- <img src=x onerror=alert(1)> \u202Eevil \\x00 %00 {{7*7}} \${7*7}`,
      attributes: { colour: '<b>black</b>', size: "M' OR '1'='1" },
    };
    const created = await api().post<Product>('/api/products', productBody(hostile), seller);
    expect(created.status).toBe(201);
    const read = await call('GET', `/api/products/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.headers['content-type']).toMatch(/^application\/json/);
    expect(read.headers['x-content-type-options']).toBe('nosniff');
    const product = JSON.parse(read.text) as Product;
    expect(product).toMatchObject(hostile);

    const me = await api().post<Session>('/api/auth/login', {
      email: DEMO_BUYER.email,
      password: DEMO_PASSWORD,
    });
    const name = `<svg onload=alert(1)>'; DELETE FROM users;--`;
    const patched = await fetch(`${stack.gatewayUrl}/api/users/me`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${me.body.accessToken}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name }),
    });
    expect(patched.status).toBe(200);
    expect(
      (await api().get<{ name: string }>('/api/users/me', me.body.accessToken)).body.name,
    ).toBe(name);

    // Query strings with SQL and wildcards find what their words alone find: no more.
    const ids = async (q: string) => {
      const found = await api().get<{ items: { id: string }[] }>(
        `/api/products?limit=100${q ? `&q=${encodeURIComponent(q)}` : ''}`,
      );
      expect(found.status, q).toBe(200);
      return found.body.items.map((item) => item.id).sort();
    };
    for (const q of ["' OR '1'='1", '%', '_', "x%' OR 1=1 -- ", '*', '")) OR ((1', 'a\\'])
      expect(await ids(q), q).toEqual(await ids(q.replace(/[^\p{L}\p{N}]+/gu, ' ').trim()));
    const sellers = await api().get<{ items: unknown[] }>(
      `/api/products?limit=100&sellerId=${encodeURIComponent("' OR 1=1 --")}`,
    );
    expect(sellers.status).toBe(400);
  });

  it('when a JSON key comes twice or as __proto__, then what is checked is what is stored', async () => {
    const auth = { authorization: `Bearer ${seller}`, 'content-type': 'application/json' };
    const json = JSON.stringify(productBody());
    // JSON.parse keeps the last of a repeated key: the last is validated, and stored.
    const negativeLast = json.replace('"stock":5', '"stock":5,"stock":-1');
    expect(problemOf(await call('POST', '/api/products', auth, negativeLast), 400).code).toBe(
      'validation-error',
    );
    const validLast = json.replace('"stock":5', '"stock":-1,"stock":7');
    const created = await call('POST', '/api/products', auth, validLast);
    expect(created.status).toBe(201);
    expect((JSON.parse(created.text) as { stock: number }).stock).toBe(7);

    const email = `proto-${randomUUID()}@example.test`;
    const register = JSON.stringify({ email, password: DEMO_PASSWORD, name: 'Proto' });
    let registered = false;
    for (const body of [
      register.replace('{', '{"role":"seller","role":"admin",'),
      register.replace(
        '{',
        '{"__proto__":{"role":"admin"},"constructor":{"prototype":{"role":"admin"}},',
      ),
    ]) {
      const answer = await httpFrom(
        stack.gatewayUrl,
        '127.0.0.66',
        'POST',
        '/api/auth/register',
        {
          'content-type': 'application/json',
        },
        body,
      );
      expect(answer.status, body).toBeLessThan(500);
      registered ||= answer.status === 201;
      if (answer.status === 201)
        expect((JSON.parse(answer.text) as { user: { role: string } }).user.role).not.toBe('admin');
    }
    const login = await api().post<{ user: { role: string } }>('/api/auth/login', {
      email,
      password: DEMO_PASSWORD,
    });
    // Refused bodies leave no account behind; an accepted one made a buyer.
    expect(login.status).toBe(registered ? 200 : 401);
    if (registered) expect(login.body.user.role).toBe('buyer');
  });

  it('when a product names image URLs on internal hosts, then no service ever fetches them, and other schemes are refused', async () => {
    let hits = 0;
    const canary: Server = createServer((_req, res) => {
      hits++;
      res.end();
    });
    const port = await freePort();
    await new Promise<void>((resolve) => canary.listen(port, '127.0.0.1', resolve));
    try {
      const internal = [
        `http://127.0.0.1:${port}/ssrf.png`,
        `http://localhost:${port}/ssrf.png`,
        'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
        `${stack.urls['user-service']}/metrics`,
      ];
      const created = await api().post<Product>(
        '/api/products',
        productBody({ images: internal }),
        seller,
      );
      expect(created.status).toBe(201);
      expect((await api().get<Product>(`/api/products/${created.body.id}`)).body.images).toEqual(
        internal,
      );
      await api().get(`/api/products?limit=100&q=${encodeURIComponent(created.body.title)}`);
      await api().get(`/api/sellers/${DEMO_SELLERS[0].id}`);
      for (const image of [
        'file:///etc/passwd',
        'gopher://127.0.0.1:6379/_FLUSHALL',
        'ftp://127.0.0.1/x.png',
        '//evil.example/x.png',
        'javascript:alert(1)',
        'data:image/svg+xml,<svg onload=alert(1)>',
        'http://exa mple.com/x.png',
      ]) {
        const refused = await call(
          'POST',
          '/api/products',
          { authorization: `Bearer ${seller}`, 'content-type': 'application/json' },
          JSON.stringify(productBody({ images: [image] })),
        );
        expect(problemOf(refused, 400).code, image).toBe('validation-error');
      }
      // Anything that would fetch an image does so when it is listed or read: give it time.
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(hits).toBe(0);
    } finally {
      await new Promise((resolve) => canary.close(resolve));
    }
  });

  it('when clients ask for too much at once, then sizes are capped by 400s and a flood gets 429 with Retry-After per address', async () => {
    for (const path of [
      '/api/products?limit=101',
      `/api/products?q=${'a'.repeat(201)}`,
      '/api/products?limit=100&facets=true&cursor=' + 'x'.repeat(513),
    ])
      expect(problemOf(await call('GET', path), 400).code).toBe('validation-error');
    const tooMany = {
      images: new Array(11).fill('https://img.example.com/a.png'),
      attributes: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])),
    };
    expect((await api().post('/api/products', productBody(tooMany), seller)).status).toBe(400);
    const buyer = await api().post<Session>('/api/auth/login', {
      email: DEMO_BUYER.email,
      password: DEMO_PASSWORD,
    });
    const items = Array.from({ length: 51 }, () => ({ productId: randomUUID(), quantity: 1 }));
    const checkout = await api().post(
      '/api/orders',
      {
        items,
        shippingAddress: { name: 'A', line1: 'B', city: 'C', postalCode: '1', country: 'DE' },
      },
      buyer.body.accessToken,
      { 'idempotency-key': randomUUID() },
    );
    expect(checkout.status).toBe(400);

    // Registrations from one address are held off whatever X-Forwarded-For claims.
    const registers = [];
    for (let i = 0; i < 25; i++)
      registers.push(
        await httpFrom(
          stack.gatewayUrl,
          '127.0.0.77',
          'POST',
          '/api/auth/register',
          {
            'content-type': 'application/json',
            'x-forwarded-for': `10.0.${i}.1`,
          },
          '{}',
        ),
      );
    const limited = registers.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(Number(limited[0]?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(problemOf(limited[0] as RawAnswer, 429).code).toBe('rate-limited');

    // The costliest search, faceted, flooded from one address: cut at the limit, others unharmed.
    const flood: RawAnswer[] = [];
    for (let batch = 0; batch < (API_PER_MINUTE + 20) / 20; batch++)
      flood.push(
        ...(await Promise.all(
          Array.from({ length: 20 }, () =>
            httpFrom(stack.gatewayUrl, '127.0.0.88', 'GET', '/api/products?limit=100&facets=true'),
          ),
        )),
      );
    expect(flood.filter((r) => r.status === 200).length).toBeLessThanOrEqual(API_PER_MINUTE);
    expect(flood.filter((r) => r.status >= 500)).toEqual([]);
    const cut = flood.find((r) => r.status === 429);
    expect(cut && problemOf(cut, 429).code).toBe('rate-limited');
    expect(
      (await httpFrom(stack.gatewayUrl, '127.0.0.89', 'GET', '/api/products?limit=1')).status,
    ).toBe(200);
  });

  it('when a browser on another origin calls, then only the listed origin gets CORS, never a wildcard, never with a null origin', async () => {
    const preflight = (origin: string) =>
      call('OPTIONS', '/api/users/me', {
        origin,
        'access-control-request-method': 'PATCH',
        'access-control-request-headers': 'authorization, content-type',
      });
    const allowed = await preflight(ALLOWED_ORIGIN);
    expect(allowed.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
    expect(allowed.headers['access-control-allow-credentials']).toBe('true');
    expect(allowed.headers.vary ?? '').toMatch(/origin/i);
    for (const origin of [
      'https://evil.example.net',
      'null',
      `${ALLOWED_ORIGIN}.evil.example.net`,
      'https://shop.example.com:8443',
      'http://shop.example.com',
    ]) {
      const refused = await preflight(origin);
      expect(refused.headers['access-control-allow-origin'], origin).toBeUndefined();
      const simple = await call('GET', '/api/products?limit=1', { origin });
      expect(simple.headers['access-control-allow-origin'], origin).toBeUndefined();
    }
    const answer = await call('GET', '/api/products?limit=1', { origin: ALLOWED_ORIGIN });
    expect(answer.headers['access-control-allow-origin']).toBe(ALLOWED_ORIGIN);
  });

  it('when an error answer comes back, then it carries the same security headers as a success and leaks no server name', async () => {
    const answers = [
      await call('GET', '/api/products?limit=1'),
      await call('GET', '/api/nothing-here'),
      await call('GET', '/api/users/me'),
      await call('GET', '/api/products?limit=0'),
      await call('POST', '/api/products', { 'content-type': 'text/plain' }, 'x'),
    ];
    for (const answer of answers) {
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['content-security-policy']).toMatch(/default-src 'none'/);
      expect(answer.headers['x-frame-options']).toBe('DENY');
      expect(answer.headers['x-powered-by']).toBeUndefined();
      expect(answer.headers.server ?? '').not.toMatch(/\d/);
      expect(answer.headers['x-request-id']).toEqual(expect.any(String));
    }
  });
});
