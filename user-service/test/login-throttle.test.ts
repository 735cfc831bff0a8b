import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { code, freshEmail, register, type Harness, type ProblemBody } from './harness.ts';
import { startUserService } from './harness.ts';

describe('user-service: login throttling without lock-out', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startUserService();
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A login as the gateway forwards it: from loopback, naming the client in X-Forwarded-For. */
  const loginFrom = (client: string, email: string, password: string) =>
    h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email, password },
      headers: { 'x-forwarded-for': client },
    });

  it('when an attacker keeps failing from one address, then it is slowed while the owner elsewhere logs in', async () => {
    const { user } = await register(h.app);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      statuses.push((await loginFrom('203.0.113.7', user.email, `guess-${i}-password`)).statusCode);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual(new Array(7).fill(429));
    const throttled = await loginFrom('203.0.113.7', user.email, 'correct horse battery');
    expect(throttled.statusCode).toBe(429);
    expect(code(throttled)).toBe('too-many-attempts');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);

    const owner = await loginFrom('198.51.100.20', user.email, 'correct horse battery');
    expect(owner.statusCode).toBe(200);
  });

  it('when one address tries many accounts, then it is throttled on all of them', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) {
      statuses.push(
        (await loginFrom('203.0.113.8', freshEmail('spray'), 'a-guessed-password')).statusCode,
      );
    }
    expect(statuses.slice(0, 20).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
    const other = await loginFrom('198.51.100.21', freshEmail('spray'), 'a-guessed-password');
    expect(other.statusCode).toBe(401);
  });

  it('when the clients of one IPv6 /64 take turns, then they are counted as one', async () => {
    const { user } = await register(h.app);
    for (let i = 0; i < 5; i++) {
      await loginFrom(`2001:db8:7:7::${i + 1}`, user.email, `guess-${i}-password`);
    }
    const next = await loginFrom('2001:db8:7:7:abcd::1', user.email, 'another-guess');
    expect(next.statusCode).toBe(429);
    expect(code(next)).toBe('too-many-attempts');
    expect(
      (await loginFrom('2001:db8:7:8::1', user.email, 'correct horse battery')).statusCode,
    ).toBe(200);
  });

  it('when a client that is not a trusted proxy sends X-Forwarded-For, then its own address counts', async () => {
    const { user } = await register(h.app);
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await h.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: '203.0.113.9',
        payload: { email: user.email, password: `guess-${i}-password` },
        headers: { 'x-forwarded-for': `198.51.100.${100 + i}` },
      });
      statuses.push(response.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('when throttled, then an unknown e-mail and a known one get the same answer', async () => {
    const { user } = await register(h.app);
    const ghost = freshEmail('ghost');
    for (let i = 0; i < 5; i++) {
      await loginFrom('203.0.113.10', user.email, `guess-${i}-password`);
      await loginFrom('203.0.113.10', ghost, `guess-${i}-password`);
    }
    const known = await loginFrom('203.0.113.10', user.email, 'guess-x-password');
    const unknown = await loginFrom('203.0.113.10', ghost, 'guess-x-password');
    const strip = (body: ProblemBody & { requestId?: string }) => ({ ...body, requestId: null });
    expect(known.statusCode).toBe(429);
    expect(unknown.statusCode).toBe(429);
    expect(strip(known.json())).toEqual(strip(unknown.json()));
    expect(known.headers['retry-after']).toBe(unknown.headers['retry-after']);
  });
});
