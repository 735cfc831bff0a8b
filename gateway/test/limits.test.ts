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
});
