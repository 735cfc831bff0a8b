import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import {
  createTestTokens,
  TcpProxy,
  uniqueName,
  waitFor,
  type TestTokens,
} from '@marketplace/testing';
import type { ServiceApp } from '@marketplace/service-kit';
import type { OpsListener } from '../src/edge/ops-listener.ts';
import { deadUrl, startGateway, startUpstreams, type Upstreams } from './upstreams.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const get = (app: ServiceApp, remoteAddress: string, authorization?: string) =>
  app.inject({
    method: 'GET',
    url: '/api/products',
    remoteAddress,
    headers: authorization ? { authorization } : {},
  });

async function statuses(times: number, send: () => Promise<{ statusCode: number }>) {
  const seen: number[] = [];
  for (let i = 0; i < times; i++) seen.push((await send()).statusCode);
  return seen;
}

const allowed = (n: number) => new Array<number>(n).fill(200);

describe('gateway rate limit: who is counted', () => {
  let upstreams: Upstreams;
  let tokens: TestTokens;
  let app: ServiceApp;

  beforeAll(async () => {
    [upstreams, tokens] = await Promise.all([startUpstreams(), createTestTokens()]);
    ({ app } = await startGateway(upstreams, tokens.verifier, {
      RATE_LIMIT_PER_MINUTE: '3',
      AUTH_RATE_LIMIT_PER_MINUTE: '2',
      // Refresh has its own, looser limit (here above the general one, to tell them apart).
      REFRESH_RATE_LIMIT_PER_MINUTE: '4',
    }));
  });

  afterAll(async () => {
    await app.close();
    await upstreams.close();
  });

  it('when two users share one address, then each has a budget of their own', async () => {
    const ann = await tokens.bearer('00000000-0000-4000-8000-0000000000a1', 'buyer');
    const bob = await tokens.bearer('00000000-0000-4000-8000-0000000000b2', 'buyer');
    expect(await statuses(4, () => get(app, '10.1.0.1', ann))).toEqual([...allowed(3), 429]);
    expect(await statuses(3, () => get(app, '10.1.0.1', bob))).toEqual(allowed(3));
    // Anonymous requests from the same address have their own budget too.
    expect(await statuses(3, () => get(app, '10.1.0.1'))).toEqual(allowed(3));
    expect((await get(app, '10.1.0.1')).statusCode).toBe(429);
  });

  it('when a user moves between addresses, then their budget moves with them', async () => {
    const cid = await tokens.bearer('00000000-0000-4000-8000-0000000000c3', 'buyer');
    const seen = [
      (await get(app, '10.1.1.1', cid)).statusCode,
      (await get(app, '10.1.1.2', cid)).statusCode,
      (await get(app, '10.1.1.3', cid)).statusCode,
      (await get(app, '10.1.1.4', cid)).statusCode,
    ];
    expect(seen).toEqual([...allowed(3), 429]);
  });

  it('when a bad token is sent, then the request is still counted, by its address', async () => {
    const bad = () => get(app, '10.1.2.1', 'Bearer not.a.token');
    expect(await statuses(3, bad)).toEqual([401, 401, 401]);
    expect((await bad()).statusCode).toBe(429);
    expect((await get(app, '10.1.2.1')).statusCode).toBe(429);
  });

  it('when an answer is allowed, then it carries the draft RateLimit headers', async () => {
    const response = await get(app, '10.1.3.1');
    expect(response.headers['ratelimit-limit']).toBe('3');
    expect(response.headers['ratelimit-remaining']).toBe('2');
    expect(Number(response.headers['ratelimit-reset'])).toBeGreaterThan(0);
  });

  it('when the budget is spent, then 429 problem+json with Retry-After and the headers', async () => {
    await statuses(3, () => get(app, '10.1.4.1'));
    const response = await get(app, '10.1.4.1');
    expect(response.statusCode).toBe(429);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json<{ code: string; detail: string }>();
    expect(problem.code).toBe('rate-limited');
    expect(problem.detail).toMatch(/^Too many requests; retry in (\d+ seconds?|1 minute)\.$/);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(response.headers['ratelimit-limit']).toBe('3');
    expect(response.headers['ratelimit-remaining']).toBe('0');
    expect(response.headers['ratelimit-reset']).toBe(response.headers['retry-after']);
  });

  it.each([
    ['/api/auth/login', 2],
    ['/api/auth/register', 2],
    ['/api/auth/refresh', 4],
  ])(
    'when %s is tried from one address, then its own limit of %i applies whatever token is sent',
    async (url, limit) => {
      const ann = await tokens.bearer('00000000-0000-4000-8000-0000000000a1', 'buyer');
      const post = (authorization?: string) =>
        app.inject({
          method: 'POST',
          url,
          payload: {},
          remoteAddress: '10.1.5.1',
          headers: authorization ? { authorization } : {},
        });
      let sent = 0;
      const seen = await statuses(limit, () => post(sent++ % 2 === 0 ? undefined : ann));
      expect(seen).toEqual(allowed(limit));
      expect((await post()).statusCode).toBe(429);
      expect((await post(ann)).statusCode).toBe(429);
    },
  );
});

describe('gateway rate limit: shared through Redis', () => {
  let upstreams: Upstreams;
  let tokens: TestTokens;
  const apps: ServiceApp[] = [];
  const opsUrls: string[] = [];
  let one: ServiceApp;
  let two: ServiceApp;
  const prefix = `${uniqueName('gateway_rl')}:`;

  beforeAll(async () => {
    [upstreams, tokens] = await Promise.all([startUpstreams(), createTestTokens()]);
    const env = {
      REDIS_URL,
      RATE_LIMIT_KEY_PREFIX: prefix,
      RATE_LIMIT_PER_MINUTE: '4',
      AUTH_RATE_LIMIT_PER_MINUTE: '2',
    };
    for (let i = 0; i < 2; i++) {
      const started = await startGateway(upstreams, tokens.verifier, env);
      apps.push(started.app);
      opsUrls.push(await started.ops.listen());
    }
    [one, two] = apps as [ServiceApp, ServiceApp];
    for (const url of opsUrls) await waitForRedis(url);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await upstreams.close();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('when a client spreads its requests over two gateways, then they share one budget', async () => {
    const seen = await statuses(5, async () => {
      const [a, b] = [await get(one, '10.2.0.1'), await get(two, '10.2.0.1')];
      return { statusCode: Math.max(a.statusCode, b.statusCode) };
    });
    // Two requests a round, four allowed in all: two rounds pass, the rest are over.
    expect(seen).toEqual([200, 200, 429, 429, 429]);
  });

  it('when a user logs in through both gateways, then the stricter limit is shared too', async () => {
    const login = (app: ServiceApp) =>
      app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: {},
        remoteAddress: '10.2.1.1',
      });
    const seen = [(await login(one)).statusCode, (await login(two)).statusCode];
    expect([...seen, (await login(one)).statusCode]).toEqual([200, 200, 429]);
  });

  it('when the counters are in Redis, then /ready says so', async () => {
    expect(await rateLimitState(opsUrls[0]!)).toBe('redis');
  });
});

describe('gateway rate limit: Redis unreachable', () => {
  let upstreams: Upstreams;
  let tokens: TestTokens;
  let proxy: TcpProxy;
  let app: ServiceApp;
  let opsUrl: string;
  let deadApp: ServiceApp;
  const prefix = `${uniqueName('gateway_rl')}:`;

  beforeAll(async () => {
    [upstreams, tokens] = await Promise.all([startUpstreams(), createTestTokens()]);
    let viaProxy: string;
    ({ proxy, url: viaProxy } = await TcpProxy.inFrontOf(REDIS_URL, 6379));
    let ops: OpsListener;
    ({ app, ops } = await startGateway(upstreams, tokens.verifier, {
      REDIS_URL: viaProxy,
      RATE_LIMIT_KEY_PREFIX: prefix,
      RATE_LIMIT_PER_MINUTE: '3',
    }));
    opsUrl = await ops.listen();
    await waitForRedis(opsUrl);
    ({ app: deadApp } = await startGateway(upstreams, tokens.verifier, {
      REDIS_URL: (await deadUrl()).replace('http:', 'redis:'),
      RATE_LIMIT_PER_MINUTE: '3',
    }));
  });

  afterAll(async () => {
    await Promise.all([app.close(), deadApp.close()]);
    await proxy.cut();
    await upstreams.close();
  });

  it('when Redis was never reachable, then requests are served and counted in the instance', async () => {
    expect(await statuses(4, () => get(deadApp, '10.3.0.1'))).toEqual([...allowed(3), 429]);
  });

  it('when Redis goes away mid-way, then requests are still served, never a 500', async () => {
    expect((await get(app, '10.3.1.1')).statusCode).toBe(200);
    await proxy.cut();
    expect(await statuses(3, () => get(app, '10.3.1.2'))).toEqual(allowed(3));
    expect((await get(app, '10.3.1.2')).statusCode).toBe(429);
    expect(await rateLimitState(opsUrl)).toBe('memory (redis unreachable)');
  });
});

/** Where the gateway's rate limit counts, as its /ready says. */
async function rateLimitState(opsUrl: string): Promise<string> {
  return ((await (await fetch(`${opsUrl}/ready`)).json()) as { rateLimit: string }).rateLimit;
}

/** The gateway connects to Redis in the background: wait until its counters are shared. */
async function waitForRedis(opsUrl: string): Promise<void> {
  await waitFor(async () => ((await rateLimitState(opsUrl)) === 'redis' ? true : undefined), {
    what: 'the gateway to reach Redis',
  });
}
