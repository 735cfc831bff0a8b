import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestTokens, type TestTokens } from '@marketplace/testing';
import type { ServiceApp } from '@marketplace/service-kit';
import { startGateway, startUpstreams, type Upstreams } from './upstreams.ts';

describe('gateway: limits', () => {
  let upstreams: Upstreams;
  let tokens: TestTokens;
  let app: ServiceApp;

  beforeAll(async () => {
    upstreams = await startUpstreams();
    tokens = await createTestTokens();
    ({ app } = await startGateway(upstreams, tokens.verifier, {
      RATE_LIMIT_PER_MINUTE: '10',
      AUTH_RATE_LIMIT_PER_MINUTE: '3',
    }));
  });

  afterAll(async () => {
    await app.close();
    await upstreams.close();
  });

  const fromIp = (remoteAddress: string) => ({ remoteAddress });

  it('when a client exceeds the per-minute limit, then 429 problem+json with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const response = await app.inject({
        method: 'GET',
        url: '/api/products',
        ...fromIp('10.0.0.1'),
      });
      statuses.push(response.statusCode);
      if (response.statusCode === 429) {
        expect(response.headers['content-type']).toContain('application/problem+json');
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
        expect(response.json<{ status: number }>().status).toBe(429);
        expect(response.json<{ code: string }>().code).toBe('rate-limited');
      }
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.at(-1)).toBe(429);
    // Another client is not affected.
    const other = await app.inject({ method: 'GET', url: '/api/products', ...fromIp('10.0.0.2') });
    expect(other.statusCode).toBe(200);
  });

  it('when login is tried too often, then the tighter auth limit applies', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'a@b.c', password: 'x' },
        ...fromIp('10.0.0.3'),
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('when a body is over 1 MiB, then 413 problem+json and nothing is forwarded', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/products',
      headers: {
        authorization: await tokens.bearer('s1', 'seller'),
        'content-type': 'application/json',
      },
      payload: JSON.stringify({ description: 'x'.repeat(1024 * 1024) }),
      ...fromIp('10.0.0.4'),
    });
    expect(response.statusCode).toBe(413);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<{ code: string }>().code).toBe('payload-too-large');
  });

  it('when the SPA or health are asked for often, then they are not rate-limited', async () => {
    for (let i = 0; i < 12; i++) {
      const response = await app.inject({ method: 'GET', url: '/health', ...fromIp('10.0.0.5') });
      expect(response.statusCode).toBe(200);
    }
  });

  const loginsFrom = async (clients: string[], headers: Record<string, string>[] = []) => {
    const statuses: number[] = [];
    for (const [i, remoteAddress] of clients.entries()) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: 'a@b.c', password: 'x' },
        remoteAddress,
        ...(headers[i] ? { headers: headers[i] } : {}),
      });
      statuses.push(response.statusCode);
    }
    return statuses;
  };

  it('when IPv6 clients of one /64 take turns, then they share one limit; another /64 does not', async () => {
    const sameNetwork = [
      '2001:db8:5:5::1',
      '2001:db8:5:5::2',
      '2001:db8:5:5:ffff::3',
      '2001:db8:5:5::4',
    ];
    expect(await loginsFrom(sameNetwork)).toEqual([200, 200, 200, 429]);
    expect(await loginsFrom(['2001:db8:5:6::1'])).toEqual([200]);
  });

  it('when a client comes as IPv4-mapped IPv6, then it shares the limit of its IPv4 address', async () => {
    expect(
      await loginsFrom(['10.0.0.6', '::ffff:10.0.0.6', '10.0.0.6', '::ffff:10.0.0.6']),
    ).toEqual([200, 200, 200, 429]);
  });

  it('when no proxy is trusted, then a client cannot dodge the limit with X-Forwarded-For', async () => {
    const forged = ['1', '2', '3', '4'].map((n) => ({ 'x-forwarded-for': `198.51.100.${n}` }));
    expect(await loginsFrom(new Array<string>(4).fill('10.0.0.7'), forged)).toEqual([
      200, 200, 200, 429,
    ]);
  });
});

describe('gateway: behind a trusted load balancer', () => {
  let upstreams: Upstreams;
  let app: ServiceApp;

  beforeAll(async () => {
    upstreams = await startUpstreams();
    const tokens = await createTestTokens();
    ({ app } = await startGateway(upstreams, tokens.verifier, {
      AUTH_RATE_LIMIT_PER_MINUTE: '1',
      TRUSTED_PROXIES: '10.9.0.0/16, fd00::1',
    }));
  });

  afterAll(async () => {
    await app.close();
    await upstreams.close();
  });

  const login = (remoteAddress: string, client: string) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'a@b.c', password: 'x' },
      remoteAddress,
      headers: { 'x-forwarded-for': client },
    });

  it('when the balancer names the clients, then each client has its own limit', async () => {
    expect((await login('10.9.0.1', '198.51.100.1')).statusCode).toBe(200);
    expect((await login('10.9.3.4', '198.51.100.2')).statusCode).toBe(200);
    expect((await login('fd00::1', '198.51.100.3')).statusCode).toBe(200);
    expect((await login('10.9.0.1', '198.51.100.1')).statusCode).toBe(429);
  });

  it('when an address outside the list sends X-Forwarded-For, then its own address counts', async () => {
    expect((await login('10.8.0.1', '198.51.100.4')).statusCode).toBe(200);
    expect((await login('10.8.0.1', '198.51.100.5')).statusCode).toBe(429);
  });
});
