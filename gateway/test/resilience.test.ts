import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTokens, waitFor, type TestTokens } from '@marketplace/testing';
import type { ServiceApp } from '@marketplace/service-kit';
import type { OpsListener } from '../src/edge/ops-listener.ts';
import { startGateway, startUpstreams, type Upstreams } from './upstreams.ts';

/**
 * A stand-in service on a plain node:http server, whose behaviour a test switches: it counts the
 * requests and the TCP connections it gets, and each request is answered by `handle`.
 */
interface Scripted {
  url: string;
  requests: { method: string; url: string }[];
  connections: () => number;
  handle: (req: IncomingMessage, res: ServerResponse) => void;
  close: () => Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown, type = 'application/json') => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

async function startScripted(): Promise<Scripted> {
  let connections = 0;
  const scripted: Scripted = {
    url: '',
    requests: [],
    connections: () => connections,
    handle: (_req, res) => json(res, 200, { ok: true }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    scripted.requests.push({ method: req.method ?? '', url: req.url ?? '' });
    // The body is read before answering, as a real service does.
    req.resume();
    req.once('end', () => scripted.handle(req, res));
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  scripted.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return scripted;
}

describe('gateway resilience: keep-alive, timeouts, retries', () => {
  let upstreams: Upstreams;
  let product: Scripted;
  let tokens: TestTokens;
  let app: ServiceApp;
  let base: string;

  beforeAll(async () => {
    [upstreams, product, tokens] = await Promise.all([
      startUpstreams(),
      startScripted(),
      createTestTokens(),
    ]);
    ({ app } = await startGateway({ ...upstreams, product: product }, tokens.verifier, {
      // The route table's 5 s reads, capped for the test (long enough for the other request to
      // be answered meanwhile on a busy machine).
      UPSTREAM_TIMEOUT_MS: '1500',
      // Failures here must not open the circuit (its own suite below).
      CIRCUIT_FAILURE_THRESHOLD: '1000',
    }));
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });

  afterAll(async () => {
    await app.close();
    await product.close();
    await upstreams.close();
  });

  it('when many requests go to a service, then they reuse a few kept-alive connections', async () => {
    product.handle = (_req, res) => json(res, 200, { ok: true });
    const before = product.connections();
    for (let i = 0; i < 20; i++) {
      expect((await fetch(`${base}/api/products?n=${i}`)).status).toBe(200);
    }
    // In parallel too: no more connections than requests at once.
    for (let round = 0; round < 3; round++) {
      const batch = Array.from({ length: 8 }, () => fetch(`${base}/api/products`));
      for (const response of await Promise.all(batch)) expect(response.status).toBe(200);
    }
    expect(product.connections() - before).toBeLessThanOrEqual(8);
  });

  it('when a service hangs, then its route gets a 504 problem while another service answers meanwhile', async () => {
    product.handle = () => undefined;
    const slow = app.inject({ method: 'GET', url: '/api/products/hanging' });
    let slowDone = false;
    void slow.then(() => (slowDone = true));
    await waitFor(() =>
      product.requests.at(-1)?.url === '/api/products/hanging' ? true : undefined,
    );
    const other = await app.inject({
      method: 'GET',
      url: '/api/users/me',
      headers: { authorization: await tokens.bearer('u1', 'buyer') },
    });
    expect(other.statusCode).toBe(200);
    expect(slowDone).toBe(false);
    const response = await slow;
    expect(response.statusCode).toBe(504);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<{ code: string }>().code).toBe('upstream-timeout');
  });

  it('when the connection of a read breaks before any answer, then it is sent once more', async () => {
    let resets = 1;
    product.handle = (req, res) => {
      if (resets-- > 0) req.socket.destroy();
      else json(res, 200, { ok: true });
    };
    const before = product.requests.length;
    const response = await fetch(`${base}/api/products/p1`);
    expect(response.status).toBe(200);
    expect(product.requests.length - before).toBe(2);
  });

  it('when the connection breaks again on the second try, then 502 after exactly two tries', async () => {
    product.handle = (req) => req.socket.destroy();
    const before = product.requests.length;
    const response = await fetch(`${base}/api/products/p1`);
    expect(response.status).toBe(502);
    expect(((await response.json()) as { code: string }).code).toBe('bad-gateway');
    expect(product.requests.length - before).toBe(2);
  });

  it('when the connection of a write breaks, then it is never sent again', async () => {
    let resets = 1;
    product.handle = (req, res) => {
      if (resets-- > 0) req.socket.destroy();
      else json(res, 201, { ok: true });
    };
    const before = product.requests.length;
    const response = await fetch(`${base}/api/products`, {
      method: 'POST',
      headers: {
        authorization: await tokens.bearer('s1', 'seller'),
        'content-type': 'application/json',
      },
      body: '{"title":"Lamp"}',
    });
    expect(response.status).toBe(502);
    expect(product.requests.length - before).toBe(1);
  });
});

describe('gateway resilience: a circuit per service', () => {
  let upstreams: Upstreams;
  let product: Scripted;
  let tokens: TestTokens;
  let app: ServiceApp;
  let ops: OpsListener;
  let opsUrl: string;
  let failing = true;

  const readyBody = async () =>
    (await (await fetch(`${opsUrl}/ready`)).json()) as {
      status: string;
      upstreams: Record<string, { circuit: string; ready: string }>;
    };
  const circuitGauge = async (upstream: string) => {
    const text = await (await fetch(`${opsUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('gateway_upstream_circuit_state{') && l.includes(`upstream="${upstream}"`),
      );
    return line === undefined ? undefined : Number(line.split(' ').at(-1));
  };
  const getProduct = () => app.inject({ method: 'GET', url: '/api/products/p1' });

  beforeAll(async () => {
    [upstreams, product, tokens] = await Promise.all([
      startUpstreams(),
      startScripted(),
      createTestTokens(),
    ]);
    // A bare 502, as a proxy in front of a dead service gives; the service's own problems differ.
    product.handle = (req, res) => {
      if (req.url === '/ready') json(res, failing ? 503 : 200, {});
      else if (req.url?.startsWith('/api/products/busy'))
        json(res, 503, { code: 'busy' }, 'application/problem+json');
      else if (failing) {
        res.writeHead(502, { 'content-type': 'text/plain' }).end('upstream connect error');
      } else json(res, 200, { ok: true });
    };
    ({ app, ops } = await startGateway({ ...upstreams, product: product }, tokens.verifier, {
      CIRCUIT_FAILURE_THRESHOLD: '3',
      CIRCUIT_OPEN_MS: '400',
    }));
    opsUrl = await ops.listen();
  });

  afterAll(async () => {
    await app.close();
    await product.close();
    await upstreams.close();
  });

  const productRequests = () => product.requests.filter((r) => r.url.startsWith('/api/')).length;

  it('when a service answers its own 503 problems, then its circuit stays closed', async () => {
    for (let i = 0; i < 5; i++) {
      const response = await app.inject({ method: 'GET', url: '/api/products/busy' });
      expect(response.json<{ code: string }>().code).toBe('busy');
    }
    expect(productRequests()).toBe(5);
    expect(await circuitGauge('product')).toBe(0);
  });

  it('when a service fails 3 times in a row, then its routes answer 503 at once without asking it', async () => {
    const before = productRequests();
    for (let i = 0; i < 3; i++) expect((await getProduct()).statusCode).toBe(502);
    const refused = await getProduct();
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json<{ code: string }>().code).toBe('service-unavailable');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(productRequests() - before).toBe(3);
    // Other services are not affected.
    expect((await app.inject({ method: 'GET', url: '/api/auth/jwks' })).statusCode).toBe(200);
    expect(await circuitGauge('product')).toBe(2);
    expect(await circuitGauge('user')).toBe(0);
    const ready = await readyBody();
    expect(ready.status).toBe('ready');
    expect(ready.upstreams.product).toEqual({ circuit: 'open', ready: 'unavailable' });
    expect(ready.upstreams.user).toEqual({ circuit: 'closed', ready: 'ok' });
  });

  it('when the cool-down is over and the probe fails, then it opens again', async () => {
    const before = productRequests();
    // The first request let through after the cool-down is the probe, and it fails.
    await waitFor(async () => ((await getProduct()).statusCode === 502 ? true : undefined), {
      what: 'a probe to go through',
    });
    expect(productRequests() - before).toBe(1);
    expect((await getProduct()).statusCode).toBe(503);
    expect(productRequests() - before).toBe(1);
  });

  it('when the service is back, then the next probe succeeds and the circuit closes', async () => {
    failing = false;
    await waitFor(async () => ((await getProduct()).statusCode === 200 ? true : undefined), {
      what: 'a probe to succeed',
    });
    for (let i = 0; i < 5; i++) expect((await getProduct()).statusCode).toBe(200);
    expect(await circuitGauge('product')).toBe(0);
  });
});
