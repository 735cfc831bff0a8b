import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fields, freshEmail, post, register, startUserService } from './harness.ts';
import type { Harness, ProblemBody, Session } from './harness.ts';

describe('user-service: registration, login and sessions', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startUserService();
  });
  afterAll(async () => {
    await h?.close();
  });

  const login = (email: string, password: string) =>
    post(h.app, '/api/auth/login', { email, password });
  const refresh = (refreshToken: string) => post(h.app, '/api/auth/refresh', { refreshToken });
  const me = (token: string) =>
    h.app.inject({ url: '/api/users/me', headers: { authorization: `Bearer ${token}` } });

  it('when a person registers, logs in and asks who they are, then each step answers', async () => {
    const email = freshEmail('ada');
    const created = await post(h.app, '/api/auth/register', {
      email,
      password: 'correct horse battery',
      name: '  Ada  ',
    });
    expect(created.statusCode).toBe(201);
    const session = created.json<Session>();
    expect(session.user).toMatchObject({ email, name: 'Ada', role: 'buyer', blocked: false });
    expect(session.expiresIn).toBe(900);
    expect(created.body).not.toContain('scrypt');

    const loggedIn = await login(email.toUpperCase(), 'correct horse battery');
    expect(loggedIn.statusCode).toBe(200);
    const profile = await me(loggedIn.json<Session>().accessToken);
    expect(profile.statusCode).toBe(200);
    expect(profile.json()).toEqual({
      id: session.user.id,
      email,
      name: 'Ada',
      role: 'buyer',
      phone: null,
      address: null,
      blocked: false,
      createdAt: expect.any(String) as string,
    });
    expect((await h.app.inject({ url: '/api/users/me' })).statusCode).toBe(401);
  });

  it('when a seller registers, then the role is seller', async () => {
    expect((await register(h.app, { role: 'seller' })).user.role).toBe('seller');
  });

  it('when an e-mail is taken in any letter case, then registering again is a 409', async () => {
    const email = freshEmail('dup');
    await register(h.app, { email });
    const again = await post(h.app, '/api/auth/register', {
      email: email.toUpperCase(),
      password: 'another password',
      name: 'Dup',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json<ProblemBody>().type).toContain('email-taken');
  });

  it('when the input is invalid, then the 400 names each bad field', async () => {
    const cases: [object, string][] = [
      [{ email: 'not-an-email', password: 'long enough', name: 'X' }, 'email'],
      [{ email: freshEmail(), password: 'short', name: 'X' }, 'password'],
      [{ email: freshEmail(), password: 'x'.repeat(129), name: 'X' }, 'password'],
      [{ email: freshEmail(), password: 'long enough', name: '   ' }, 'name'],
      [{ email: freshEmail(), password: 'long enough', name: 'X', role: 'admin' }, 'role'],
      [{ password: 'long enough', name: 'X' }, 'email'],
    ];
    for (const [body, field] of cases) {
      const response = await post(h.app, '/api/auth/register', body);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(fields(response)).toContain(field);
    }
  });

  it('when the password is wrong or the e-mail unknown, then the 401 is the same', async () => {
    const { user } = await register(h.app);
    const wrong = await login(user.email, 'not the password');
    const unknown = await login(freshEmail('nobody'), 'not the password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const strip = (body: ProblemBody & { requestId?: string }) => ({ ...body, requestId: null });
    expect(strip(wrong.json())).toEqual(strip(unknown.json()));
  });

  it('when logins for one e-mail keep failing, then they are throttled with Retry-After', async () => {
    const { user } = await register(h.app);
    for (let i = 0; i < 5; i++) {
      expect((await login(user.email, `wrong-${i}-password`)).statusCode).toBe(401);
    }
    const throttled = await login(user.email, 'correct horse battery');
    expect(throttled.statusCode).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
    expect(throttled.headers['content-type']).toContain('application/problem+json');
    // Unknown e-mails are throttled alike, so throttling does not reveal accounts either.
    const ghost = freshEmail('ghost');
    for (let i = 0; i < 5; i++) await login(ghost, 'whatever-password');
    expect((await login(ghost, 'whatever-password')).statusCode).toBe(429);
  });

  it('when a refresh token is used, then a new pair comes and the old one is spent', async () => {
    const first = await register(h.app);
    const rotated = await refresh(first.refreshToken);
    expect(rotated.statusCode).toBe(200);
    const second = rotated.json<Session>();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await me(second.accessToken)).statusCode).toBe(200);

    const replay = await refresh(first.refreshToken);
    expect(replay.statusCode).toBe(401);
    expect(replay.json<ProblemBody>().type).toContain('refresh-token-reused');
    // Reuse revoked the whole family: the legitimately rotated token is dead too.
    expect((await refresh(second.refreshToken)).statusCode).toBe(401);
  });

  it('when a refresh token is unknown or malformed, then 401 or 400', async () => {
    expect((await refresh('no-such-token')).statusCode).toBe(401);
    const missing = await post(h.app, '/api/auth/refresh', {});
    expect(missing.statusCode).toBe(400);
    expect(fields(missing)).toEqual(['refreshToken']);
  });

  it('when a session logs out, then its refresh token no longer works', async () => {
    const session = await register(h.app);
    const out = await post(h.app, '/api/auth/logout', { refreshToken: session.refreshToken });
    expect(out.statusCode).toBe(204);
    expect(out.body).toBe('');
    expect((await refresh(session.refreshToken)).statusCode).toBe(401);
    const again = await post(h.app, '/api/auth/logout', { refreshToken: session.refreshToken });
    expect(again.statusCode).toBe(204);
  });

  it('when the password changes, then other sessions end and the new password works', async () => {
    const email = freshEmail('pw');
    const other = await register(h.app, { email, password: 'old password 1' });
    const wrong = await post(
      h.app,
      '/api/users/me/password',
      { currentPassword: 'not it', newPassword: 'new password 2' },
      other.accessToken,
    );
    expect(wrong.statusCode).toBe(400);
    expect(fields(wrong)).toEqual(['currentPassword']);

    const changed = await post(
      h.app,
      '/api/users/me/password',
      { currentPassword: 'old password 1', newPassword: 'new password 2' },
      other.accessToken,
    );
    expect(changed.statusCode).toBe(200);
    expect((await refresh(other.refreshToken)).statusCode).toBe(401);
    expect((await refresh(changed.json<Session>().refreshToken)).statusCode).toBe(200);
    expect((await login(email, 'old password 1')).statusCode).toBe(401);
    expect((await login(email, 'new password 2')).statusCode).toBe(200);
  });

  it('when the JSON body is malformed, then the answer is a 400 problem', async () => {
    const response = await h.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email":',
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });
});
