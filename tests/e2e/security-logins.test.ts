import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthSession, Problem } from '@marketplace/contracts';
import { startStack, type Stack } from './stack.ts';

interface Answer<T = unknown> {
  status: number;
  body: T;
  retryAfter: string | undefined;
  /** Milliseconds from `since` (the call, unless given) to the whole answer. */
  ms: number;
}

/**
 * A POST to the gateway from a local address of our choosing: 127.0.0.0/8 is all loopback, so
 * each simulated client (attacker, owner) connects from its own address, as the gateway sees it.
 */
function postFrom<T>(
  stack: Stack,
  from: string,
  path: string,
  payload: unknown,
  since = performance.now(),
): Promise<Answer<T>> {
  const body = JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = request(
      `${stack.gatewayUrl}${path}`,
      {
        method: 'POST',
        localAddress: from,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            body: (text ? JSON.parse(text) : null) as T,
            retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
            ms: performance.now() - since,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A POST whose client gives up after `afterMs` (closes its connection), answered or not. */
function abandonFrom(
  stack: Stack,
  from: string,
  path: string,
  payload: unknown,
  afterMs: number,
): Promise<void> {
  const body = JSON.stringify(payload);
  return new Promise((resolve) => {
    const req = request(
      `${stack.gatewayUrl}${path}`,
      {
        method: 'POST',
        localAddress: from,
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => res.resume(),
    );
    // The abort is the point; its error is expected.
    req.on('error', () => undefined);
    req.on('close', () => resolve());
    req.end(body);
    setTimeout(() => req.destroy(), afterMs);
  });
}

const PASSWORD = 'correct horse battery staple';

describe('login security through the gateway', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const registerFrom = async (from: string): Promise<string> => {
    const email = `owner-${randomUUID()}@example.test`;
    const reply = await postFrom(stack, from, '/api/auth/register', {
      email,
      password: PASSWORD,
      name: 'Owner',
    });
    expect(reply.status).toBe(201);
    return email;
  };

  it('when an e-mail is unknown or the password wrong, then the answers cannot be told apart', async () => {
    const email = await registerFrom('127.0.0.40');
    const wrong = await postFrom<Problem>(stack, '127.0.0.41', '/api/auth/login', {
      email,
      password: 'not the password at all',
    });
    const unknown = await postFrom<Problem>(stack, '127.0.0.41', '/api/auth/login', {
      email: `nobody-${randomUUID()}@example.test`,
      password: 'not the password at all',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.code).toBe('invalid-credentials');
    const shape = ({ requestId: _id, ...rest }: Problem) => rest;
    expect(shape(wrong.body)).toEqual(shape(unknown.body));
    expect(Object.keys(wrong.body).sort()).toEqual(Object.keys(unknown.body).sort());
  });

  it('when an attacker fails 50 logins from one address, then it is held off while the owner logs in from another', async () => {
    const email = await registerFrom('127.0.0.50');
    const answers: Answer<Problem>[] = [];
    for (let i = 0; i < 50; i++) {
      answers.push(
        await postFrom<Problem>(stack, '127.0.0.51', '/api/auth/login', {
          email,
          password: `guess number ${i}`,
        }),
      );
    }
    const codes = answers.map((a) => `${a.status} ${a.body.code}`);
    // A few honest-looking failures, then growing delays (user-service) and the edge's limit.
    expect(codes.slice(0, 5)).toEqual(new Array(5).fill('401 invalid-credentials'));
    expect(codes[5]).toBe('429 too-many-attempts');
    for (const code of codes.slice(5))
      expect(['429 too-many-attempts', '429 rate-limited']).toContain(code);
    for (const answer of answers.slice(5))
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);

    const owner = await postFrom<AuthSession>(stack, '127.0.0.52', '/api/auth/login', {
      email,
      password: PASSWORD,
    });
    expect(owner.status).toBe(200);
    expect(owner.body.user.email).toBe(email);
  });

  it('when a burst of logins is larger than the hash queue, then the extra ones get 503 busy at once', async () => {
    const email = await registerFrom('127.0.0.60');
    const alone = await postFrom(stack, '127.0.0.61', '/api/auth/login', {
      email,
      password: PASSWORD,
    });
    expect(alone.status).toBe(200);

    // 2 hashing + 4 waiting (the defaults); each client from its own address.
    const start = performance.now();
    const burst = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        postFrom<Problem>(
          stack,
          `127.0.0.${100 + i}`,
          '/api/auth/login',
          { email, password: PASSWORD },
          start,
        ),
      ),
    );
    const accepted = burst.filter((a) => a.status === 200);
    const refused = burst.filter((a) => a.status === 503);
    expect(accepted.length + refused.length).toBe(burst.length);
    expect(accepted.length).toBeGreaterThanOrEqual(2);
    expect(refused.length).toBeGreaterThanOrEqual(burst.length - 6);
    for (const answer of refused) {
      expect(answer.body.code).toBe('busy');
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    // Refused before the first accepted login is through, and faster than one login alone.
    const slowestRefusal = Math.max(...refused.map((a) => a.ms));
    expect(slowestRefusal).toBeLessThan(Math.min(...accepted.map((a) => a.ms)));
    expect(slowestRefusal).toBeLessThan(alone.ms);
  });

  it('when a burst of logins is abandoned by its clients, then their waiting hashes are skipped and the next login gets in', async () => {
    const email = await registerFrom('127.0.0.70');
    const alone = await postFrom(stack, '127.0.0.71', '/api/auth/login', {
      email,
      password: PASSWORD,
    });
    expect(alone.status).toBe(200);

    // More than the hasher holds (2 hashing + 4 waiting), each client giving up well before one
    // hash is done. Through the gateway, a client that goes must take its waiting hash with it.
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        abandonFrom(
          stack,
          `127.0.0.${130 + i}`,
          '/api/auth/login',
          { email, password: PASSWORD },
          alone.ms / 4,
        ),
      ),
    );
    // Had the 4 waiting hashes stayed queued behind the 2 running, this one would be 503 busy.
    const next = await postFrom<Problem>(stack, '127.0.0.72', '/api/auth/login', {
      email,
      password: PASSWORD,
    });
    expect(next.status).toBe(200);
  });
});
