import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuthSession, Problem, User } from '@marketplace/contracts';
import { startStack, type Stack } from './stack.ts';

const PASSWORD = 'correct horse battery staple';
const OPT_IN = { 'x-session-transport': 'cookie' };

interface Answer<T> {
  status: number;
  body: T;
  /** The refresh cookie the answer set: its value ('' when cleared) and its attributes. */
  cookie: { value: string; attributes: string[] } | undefined;
}

// Browser sessions through the gateway: the refresh cookie, its CSRF checks, rotation and reuse,
// logout and logout-all; and the body form that clients other than browsers keep.
describe('security: browser sessions', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function call<T>(
    path: string,
    options: { body?: unknown; cookie?: string; token?: string; headers?: Record<string, string> },
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...options.headers,
    };
    if (options.cookie !== undefined) headers.cookie = `mp_refresh=${options.cookie}`;
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const response = await fetch(`${stack.gatewayUrl}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(options.body ?? {}),
    });
    const text = await response.text();
    const line = response.headers.getSetCookie().find((c) => c.startsWith('mp_refresh='));
    const [pair = '', ...attributes] = (line ?? '').split(';').map((part) => part.trim());
    return {
      status: response.status,
      body: (text ? JSON.parse(text) : null) as T,
      cookie: line ? { value: pair.slice('mp_refresh='.length), attributes } : undefined,
    };
  }

  /** What a browser on the SPA sends: the opt-in header and its own origin. */
  const browser = <T>(path: string, body: unknown = {}, cookie?: string, token?: string) =>
    call<T>(path, {
      body,
      headers: { ...OPT_IN, origin: stack.gatewayUrl },
      ...(cookie !== undefined ? { cookie } : {}),
      ...(token ? { token } : {}),
    });

  async function newAccount(): Promise<User> {
    const reply = await call<AuthSession>('/api/auth/register', {
      body: { email: `sessions-${randomUUID()}@example.test`, password: PASSWORD, name: 'Sam' },
    });
    expect(reply.status).toBe(201);
    return reply.body.user;
  }

  async function browserLogin(email: string, password = PASSWORD) {
    const reply = await browser<AuthSession>('/api/auth/login', { email, password });
    expect(reply.status).toBe(200);
    if (!reply.cookie) throw new Error('no refresh cookie');
    return { cookie: reply.cookie.value, accessToken: reply.body.accessToken, reply };
  }

  const expectCookieFlags = (cookie: Answer<unknown>['cookie']) =>
    expect(cookie?.attributes).toEqual(
      expect.arrayContaining(['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/api/auth']),
    );

  it('when a browser logs in and refreshes, then the refresh token is only in a HttpOnly; Secure; SameSite=Strict cookie on /api/auth', async () => {
    const user = await newAccount();
    const { reply, cookie } = await browserLogin(user.email);
    expect(reply.body).not.toHaveProperty('refreshToken');
    expect(JSON.stringify(reply.body)).not.toContain(cookie);
    expectCookieFlags(reply.cookie);

    const refreshed = await browser<AuthSession>('/api/auth/refresh', {}, cookie);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body).not.toHaveProperty('refreshToken');
    expectCookieFlags(refreshed.cookie);
    expect(refreshed.cookie?.value).not.toBe(cookie);
  });

  it('when a spent refresh token comes back, then its whole session is revoked (cookie and body form)', async () => {
    const user = await newAccount();
    const first = await browserLogin(user.email);
    const second = (await browser('/api/auth/refresh', {}, first.cookie)).cookie?.value ?? '';
    const replay = await browser<Problem>('/api/auth/refresh', {}, first.cookie);
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('refresh-token-reused');
    expect(replay.cookie?.value).toBe('');
    const revoked = await browser<Problem>('/api/auth/refresh', {}, second);
    expect(revoked.body.code).toBe('invalid-refresh-token');

    const app = await call<AuthSession>('/api/auth/login', {
      body: { email: user.email, password: PASSWORD },
    });
    const spent = app.body.refreshToken ?? '';
    const next = await call<AuthSession>('/api/auth/refresh', { body: { refreshToken: spent } });
    expect(next.status).toBe(200);
    const reused = await call<Problem>('/api/auth/refresh', { body: { refreshToken: spent } });
    expect(reused.body.code).toBe('refresh-token-reused');
    const dead = await call<Problem>('/api/auth/refresh', {
      body: { refreshToken: next.body.refreshToken },
    });
    expect(dead.body.code).toBe('invalid-refresh-token');
  });

  it('when a client is not a browser, then login, refresh and logout keep the body form and set no cookie', async () => {
    const user = await newAccount();
    const login = await call<AuthSession>('/api/auth/login', {
      body: { email: user.email, password: PASSWORD },
    });
    expect(login.status).toBe(200);
    expect(login.cookie).toBeUndefined();
    expect(login.body.refreshToken).toEqual(expect.any(String));
    const refreshed = await call<AuthSession>('/api/auth/refresh', {
      body: { refreshToken: login.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.cookie).toBeUndefined();
    const out = await call('/api/auth/logout', {
      body: { refreshToken: refreshed.body.refreshToken },
    });
    expect(out.status).toBe(204);
    const after = await call<Problem>('/api/auth/refresh', {
      body: { refreshToken: refreshed.body.refreshToken },
    });
    expect(after.body.code).toBe('invalid-refresh-token');
  });

  it('when the cookie comes without the opt-in header or from a foreign origin, then 403 csrf-refused and nothing is spent', async () => {
    const user = await newAccount();
    const { cookie } = await browserLogin(user.email);
    for (const path of ['/api/auth/refresh', '/api/auth/logout']) {
      // What a cross-site form post would bring: the cookie, no custom header.
      const forged = await call<Problem>(path, { cookie, headers: { origin: stack.gatewayUrl } });
      expect(forged.status).toBe(403);
      expect(forged.body.code).toBe('csrf-refused');
      const foreign = await call<Problem>(path, {
        cookie,
        headers: { ...OPT_IN, origin: 'https://evil.example.test' },
      });
      expect(foreign.status).toBe(403);
      expect(foreign.body.code).toBe('csrf-refused');
    }
    expect((await browser('/api/auth/refresh', {}, cookie)).status).toBe(200);
  });

  it('when a browser logs out, then the cookie is cleared and the session is over', async () => {
    const user = await newAccount();
    const { cookie } = await browserLogin(user.email);
    const out = await browser('/api/auth/logout', {}, cookie);
    expect(out.status).toBe(204);
    expect(out.cookie?.value).toBe('');
    expect(out.cookie?.attributes).toEqual(expect.arrayContaining(['Path=/api/auth']));
    const after = await browser<Problem>('/api/auth/refresh', {}, cookie);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('invalid-refresh-token');
  });

  it('when a user logs out everywhere, then every session of theirs ends and nobody else’s', async () => {
    const owner = await newAccount();
    const bystander = await newAccount();
    const laptop = await browserLogin(owner.email);
    const phone = await call<AuthSession>('/api/auth/login', {
      body: { email: owner.email, password: PASSWORD },
    });
    const other = await browserLogin(bystander.email);

    const anonymous = await call<Problem>('/api/auth/logout-all', {});
    expect(anonymous.status).toBe(401);
    const all = await browser('/api/auth/logout-all', {}, laptop.cookie, laptop.accessToken);
    expect(all.status).toBe(204);
    expect(all.cookie?.value).toBe('');

    const laptopAfter = await browser<Problem>('/api/auth/refresh', {}, laptop.cookie);
    expect(laptopAfter.body.code).toBe('invalid-refresh-token');
    const phoneAfter = await call<Problem>('/api/auth/refresh', {
      body: { refreshToken: phone.body.refreshToken },
    });
    expect(phoneAfter.body.code).toBe('invalid-refresh-token');
    expect((await browser('/api/auth/refresh', {}, other.cookie)).status).toBe(200);
  });

  it('when the password changes in a browser, then the other sessions end and the new one is in the cookie', async () => {
    const user = await newAccount();
    const mine = await browserLogin(user.email);
    const elsewhere = await browserLogin(user.email);
    const changed = await browser<AuthSession>(
      '/api/users/me/password',
      { currentPassword: PASSWORD, newPassword: 'another long password' },
      undefined,
      mine.accessToken,
    );
    expect(changed.status).toBe(200);
    expect(changed.body).not.toHaveProperty('refreshToken');
    expectCookieFlags(changed.cookie);
    for (const cookie of [mine.cookie, elsewhere.cookie]) {
      const dead = await browser<Problem>('/api/auth/refresh', {}, cookie);
      expect(dead.body.code).toBe('invalid-refresh-token');
    }
    expect((await browser('/api/auth/refresh', {}, changed.cookie?.value)).status).toBe(200);
  });
});
