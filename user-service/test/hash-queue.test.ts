import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@marketplace/testing';
import { createPasswordHasher } from '../src/domain/password.ts';
import { code, register, startUserService, type Harness } from './harness.ts';

const PASSWORD = 'correct horse battery';
// High enough that one hash takes tens of milliseconds, so "at once" and "after a hash" differ.
const COST = '32768';

/** A login from its own client address (as the gateway names it), timed from the burst's start. */
async function timedLogin(h: Harness, email: string, client: string, start: number) {
  const response = await h.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password: PASSWORD },
    headers: { 'x-forwarded-for': client },
  });
  return { response, ms: performance.now() - start };
}

describe('user-service: a burst of logins larger than the hash queue', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startUserService(
      {},
      { SCRYPT_COST: COST, PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_QUEUE: '2' },
    );
  });
  afterAll(async () => {
    await h?.close();
  });

  it('when the queue is full, then the extra logins get 503 busy at once and the accepted ones succeed', async () => {
    const { user } = await register(h.app, { password: PASSWORD });
    const alone = performance.now();
    expect((await timedLogin(h, user.email, '198.51.100.1', alone)).response.statusCode).toBe(200);
    const oneLoginMs = performance.now() - alone;

    const start = performance.now();
    const burst = await Promise.all(
      Array.from({ length: 8 }, (_, i) => timedLogin(h, user.email, `203.0.113.${i + 1}`, start)),
    );
    const accepted = burst.filter((r) => r.response.statusCode === 200);
    const refused = burst.filter((r) => r.response.statusCode === 503);
    // One hashing and two waiting are accepted; the other five are refused.
    expect(accepted).toHaveLength(3);
    expect(refused).toHaveLength(5);
    for (const { response } of refused) {
      expect(code(response)).toBe('busy');
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    const slowestRefusal = Math.max(...refused.map((r) => r.ms));
    expect(slowestRefusal).toBeLessThan(Math.min(...accepted.map((r) => r.ms)));
    expect(slowestRefusal).toBeLessThan(oneLoginMs);
  });
});

describe('user-service: a login whose client has gone', () => {
  const hasher = createPasswordHasher({ cost: Number(COST), maxConcurrent: 1, maxQueued: 4 });
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await startUserService({ hasher }, { SCRYPT_COST: COST });
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await h?.close();
  });

  const login = (email: string) =>
    fetch(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });

  it('when the client closes the connection while its hash waits, then the hash is skipped', async () => {
    const { user } = await register(h.app, { password: PASSWORD });
    const before = hasher.hashesRun;
    const first = login(user.email);
    await waitFor(() => (hasher.hashesRun === before + 1 ? true : undefined), {
      what: 'the first hash to start',
      intervalMs: 1,
    });
    const second = login(user.email);
    const gone = httpRequest(`${base}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
    });
    gone.on('error', () => undefined);
    gone.end(JSON.stringify({ email: user.email, password: PASSWORD }));
    await waitFor(() => (hasher.queued === 2 ? true : undefined), {
      what: 'two hashes queued',
      intervalMs: 1,
    });
    gone.destroy();
    await waitFor(() => (hasher.queued === 1 ? true : undefined), {
      what: 'the queue to drop it',
      intervalMs: 1,
    });

    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    expect(hasher.hashesRun).toBe(before + 2);
    expect(hasher.queued).toBe(0);
  });
});
