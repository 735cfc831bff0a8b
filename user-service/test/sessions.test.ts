import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { code, freshEmail, post, register, startUserService } from './harness.ts';
import type { Harness, Session } from './harness.ts';

const COOKIE = 'x-session-transport';
const ALLOWED = 'https://shop.example.test';

interface SetCookie {
  name: string;
  value: string;
  attributes: string[];
}

/** The Set-Cookie headers of an answer, split into name, value and the attributes as sent. */
function setCookies(response: LightMyRequestResponse): SetCookie[] {
  const raw = response.headers['set-cookie'];
  const lines = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  return lines.map((line) => {
    const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
  });
}

function refreshCookie(response: LightMyRequestResponse): SetCookie | undefined {
  return setCookies(response).find((c) => c.name === 'mp_refresh');
}

describe('user-service: the refresh cookie of browsers, CSRF, logout-all', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startUserService({}, { AUTH_ALLOWED_ORIGINS: ALLOWED });
  });
  afterAll(async () => {
    await h?.close();
  });

  /** A browser's call: the opt-in header, the cookie if it has one, its Origin. */
  const browser = (
    url: string,
    options: { cookie?: string; payload?: object; headers?: Record<string, string> } = {},
  ) =>
    h.app.inject({
      method: 'POST',
      url,
      payload: options.payload ?? {},
      headers: { [COOKIE]: 'cookie', host: 'shop.local:8080', ...options.headers },
      ...(options.cookie !== undefined ? { cookies: { mp_refresh: options.cookie } } : {}),
    });

  async function browserLogin(email: string, password = 'correct horse battery') {
    const response = await browser('/api/auth/login', { payload: { email, password } });
    expect(response.statusCode).toBe(200);
    const cookie = refreshCookie(response);
    if (!cookie) throw new Error('no refresh cookie');
    return { response, cookie: cookie.value, accessToken: response.json<Session>().accessToken };
  }

  it('when a browser logs in, then the refresh token is in an HttpOnly Secure SameSite=Strict cookie and not in the body', async () => {
    const { email } = (await register(h.app)).user;
    const { response, cookie } = await browserLogin(email);
    const body = response.json<Record<string, unknown>>();
    expect(body).not.toHaveProperty('refreshToken');
    expect(body).toMatchObject({ accessToken: expect.any(String) as string, expiresIn: 900 });
    expect(response.body).not.toContain(cookie);
    const flags = refreshCookie(response)?.attributes ?? [];
    expect(flags).toEqual(
      expect.arrayContaining([
        'HttpOnly',
        'Secure',
        'SameSite=Strict',
        'Path=/api/auth',
        `Max-Age=${30 * 86_400}`,
      ]),
    );
  });

  it('when a browser registers, then the session is in the cookie too', async () => {
    const response = await browser('/api/auth/register', {
      payload: { email: freshEmail('cookie'), password: 'correct horse battery', name: 'Cookie' },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json()).not.toHaveProperty('refreshToken');
    expect(refreshCookie(response)?.value).toMatch(/^[\w-]{40,}$/);
  });

  it('when a client does not opt in, then the body form is as before and no cookie is set', async () => {
    const session = await register(h.app);
    const login = await post(h.app, '/api/auth/login', {
      email: session.user.email,
      password: 'correct horse battery',
    });
    expect(login.headers['set-cookie']).toBeUndefined();
    expect(login.json<Session>().refreshToken).toEqual(expect.any(String));
    const refreshed = await post(h.app, '/api/auth/refresh', {
      refreshToken: login.json<Session>().refreshToken,
    });
    expect(refreshed.statusCode).toBe(200);
    expect(refreshed.headers['set-cookie']).toBeUndefined();
  });

  it('when the cookie is refreshed, then it rotates, and the spent one revokes the session and is cleared', async () => {
    const { email } = (await register(h.app)).user;
    const first = await browserLogin(email);
    const rotated = await browser('/api/auth/refresh', { cookie: first.cookie });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json()).not.toHaveProperty('refreshToken');
    const second = refreshCookie(rotated)?.value ?? '';
    expect(second).not.toBe('');
    expect(second).not.toBe(first.cookie);

    const replay = await browser('/api/auth/refresh', { cookie: first.cookie });
    expect(replay.statusCode).toBe(401);
    expect(code(replay)).toBe('refresh-token-reused');
    const cleared = refreshCookie(replay);
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes).toEqual(expect.arrayContaining(['Path=/api/auth']));
    const revoked = await browser('/api/auth/refresh', { cookie: second });
    expect(revoked.statusCode).toBe(401);
    expect(code(revoked)).toBe('invalid-refresh-token');
  });

  it('when the cookie comes without the opt-in header, then refresh and logout are 403 csrf-refused', async () => {
    const { email } = (await register(h.app)).user;
    const { cookie } = await browserLogin(email);
    for (const url of ['/api/auth/refresh', '/api/auth/logout']) {
      const forged = await h.app.inject({
        method: 'POST',
        url,
        payload: {},
        cookies: { mp_refresh: cookie },
      });
      expect(forged.statusCode).toBe(403);
      expect(code(forged)).toBe('csrf-refused');
    }
    // Nothing was spent or ended by the refused requests.
    expect((await browser('/api/auth/refresh', { cookie })).statusCode).toBe(200);
  });

  it('when a cookie request comes from a foreign origin or site, then 403 csrf-refused', async () => {
    const { email } = (await register(h.app)).user;
    const { cookie } = await browserLogin(email);
    const refusals: Record<string, string>[] = [
      { origin: 'https://evil.example.test' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of refusals) {
      const refused = await browser('/api/auth/refresh', { cookie, headers });
      expect(refused.statusCode).toBe(403);
      expect(code(refused)).toBe('csrf-refused');
      const login = await browser('/api/auth/login', {
        payload: { email, password: 'correct horse battery' },
        headers,
      });
      expect(login.statusCode).toBe(403);
      expect(code(login)).toBe('csrf-refused');
    }
    const own = await browser('/api/auth/refresh', {
      cookie,
      headers: { origin: 'http://shop.local:8080', 'sec-fetch-site': 'same-origin' },
    });
    expect(own.statusCode).toBe(200);
    // Behind the gateway the site's host is X-Forwarded-Host; a listed origin is accepted too.
    const forwarded = await browser('/api/auth/refresh', {
      cookie: refreshCookie(own)?.value ?? '',
      headers: {
        host: '127.0.0.1:8081',
        'x-forwarded-host': 'gateway.local',
        origin: 'https://gateway.local',
      },
    });
    expect(forwarded.statusCode).toBe(200);
    const listed = await browser('/api/auth/refresh', {
      cookie: refreshCookie(forwarded)?.value ?? '',
      headers: { origin: ALLOWED },
    });
    expect(listed.statusCode).toBe(200);
  });

  it('when a browser has no cookie, then refresh is 401 and logout a 204; without the header a 400 as before', async () => {
    const refresh = await browser('/api/auth/refresh');
    expect(refresh.statusCode).toBe(401);
    expect(code(refresh)).toBe('invalid-refresh-token');
    expect((await browser('/api/auth/logout')).statusCode).toBe(204);
    const bodyless = await post(h.app, '/api/auth/logout', {});
    expect(bodyless.statusCode).toBe(400);
    expect(code(bodyless)).toBe('validation-error');
  });

  it('when a browser logs out, then the cookie is cleared and its session ends', async () => {
    const { email } = (await register(h.app)).user;
    const { cookie } = await browserLogin(email);
    const out = await browser('/api/auth/logout', { cookie });
    expect(out.statusCode).toBe(204);
    const cleared = refreshCookie(out);
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes).toEqual(expect.arrayContaining(['Path=/api/auth']));
    expect(cleared?.attributes.some((a) => a.startsWith('Expires=Thu, 01 Jan 1970'))).toBe(true);
    const after = await browser('/api/auth/refresh', { cookie });
    expect(code(after)).toBe('invalid-refresh-token');
  });

  it('when a user logs out everywhere, then every session of theirs ends and nobody else’s', async () => {
    const bystander = await register(h.app);
    const owner = await register(h.app);
    const browserSession = await browserLogin(owner.user.email);
    const app = await post(h.app, '/api/auth/login', {
      email: owner.user.email,
      password: 'correct horse battery',
    });
    const anonymous = await post(h.app, '/api/auth/logout-all', {});
    expect(anonymous.statusCode).toBe(401);
    expect(code(anonymous)).toBe('unauthorized');

    const all = await post(h.app, '/api/auth/logout-all', {}, browserSession.accessToken);
    expect(all.statusCode).toBe(204);
    expect(all.body).toBe('');
    for (const refreshToken of [owner.refreshToken, app.json<Session>().refreshToken]) {
      const dead = await post(h.app, '/api/auth/refresh', { refreshToken });
      expect(dead.statusCode).toBe(401);
      expect(code(dead)).toBe('invalid-refresh-token');
    }
    const deadCookie = await browser('/api/auth/refresh', { cookie: browserSession.cookie });
    expect(code(deadCookie)).toBe('invalid-refresh-token');
    const alive = await post(h.app, '/api/auth/refresh', { refreshToken: bystander.refreshToken });
    expect(alive.statusCode).toBe(200);
  });

  it('when a browser changes the password, then other sessions end and the new one is in the cookie', async () => {
    const other = await register(h.app, { password: 'old password 1' });
    const mine = await browserLogin(other.user.email, 'old password 1');
    const changed = await h.app.inject({
      method: 'POST',
      url: '/api/users/me/password',
      payload: { currentPassword: 'old password 1', newPassword: 'new password 2' },
      headers: { [COOKIE]: 'cookie', authorization: `Bearer ${mine.accessToken}` },
    });
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).not.toHaveProperty('refreshToken');
    const fresh = refreshCookie(changed)?.value ?? '';
    expect(fresh).not.toBe('');
    for (const refreshToken of [other.refreshToken, mine.cookie]) {
      const dead = await post(h.app, '/api/auth/refresh', { refreshToken });
      expect(code(dead)).toBe('invalid-refresh-token');
    }
    expect((await browser('/api/auth/refresh', { cookie: fresh })).statusCode).toBe(200);
  });
});
