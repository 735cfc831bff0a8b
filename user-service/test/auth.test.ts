import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { code, fields, freshEmail, post, register, startUserService } from './harness.ts';
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
      language: 'en',
      blocked: false,
      createdAt: expect.any(String) as string,
    });
    const anonymous = await h.app.inject({ url: '/api/users/me' });
    expect(anonymous.statusCode).toBe(401);
    expect(code(anonymous)).toBe('unauthorized');
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
    expect(code(again)).toBe('email-taken');
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
      expect(code(response)).toBe('validation-error');
    }
  });

  it('when the password is wrong or the e-mail unknown, then the 401 is the same', async () => {
    const { user } = await register(h.app);
    const wrong = await login(user.email, 'not the password');
    const unknown = await login(freshEmail('nobody'), 'not the password');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(code(wrong)).toBe('invalid-credentials');
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
    expect(code(throttled)).toBe('too-many-attempts');
    // Unknown e-mails are throttled alike, so throttling does not reveal accounts either.
    const ghost = freshEmail('ghost');
    for (let i = 0; i < 5; i++) await login(ghost, 'whatever-password');
    const ghostThrottled = await login(ghost, 'whatever-password');
    expect(ghostThrottled.statusCode).toBe(429);
    expect(code(ghostThrottled)).toBe('too-many-attempts');
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
    expect(code(replay)).toBe('refresh-token-reused');
    // Reuse revoked the whole family: the legitimately rotated token is dead too.
    const revoked = await refresh(second.refreshToken);
    expect(revoked.statusCode).toBe(401);
    expect(code(revoked)).toBe('invalid-refresh-token');
  });

  it('when a refresh token is unknown or malformed, then 401 or 400', async () => {
    const unknown = await refresh('no-such-token');
    expect(unknown.statusCode).toBe(401);
    expect(code(unknown)).toBe('invalid-refresh-token');
    const missing = await post(h.app, '/api/auth/refresh', {});
    expect(missing.statusCode).toBe(400);
    expect(fields(missing)).toEqual(['refreshToken']);
    expect(code(missing)).toBe('validation-error');
  });

  it('when a session logs out, then its refresh token no longer works', async () => {
    const session = await register(h.app);
    const out = await post(h.app, '/api/auth/logout', { refreshToken: session.refreshToken });
    expect(out.statusCode).toBe(204);
    expect(out.body).toBe('');
    const after = await refresh(session.refreshToken);
    expect(after.statusCode).toBe(401);
    expect(code(after)).toBe('invalid-refresh-token');
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
    expect(code(wrong)).toBe('wrong-password');

    const changed = await post(
      h.app,
      '/api/users/me/password',
      { currentPassword: 'old password 1', newPassword: 'new password 2' },
      other.accessToken,
    );
    expect(changed.statusCode).toBe(200);
    const ended = await refresh(other.refreshToken);
    expect(ended.statusCode).toBe(401);
    expect(code(ended)).toBe('invalid-refresh-token');
    expect((await refresh(changed.json<Session>().refreshToken)).statusCode).toBe(200);
    const oldPassword = await login(email, 'old password 1');
    expect(oldPassword.statusCode).toBe(401);
    expect(code(oldPassword)).toBe('invalid-credentials');
    expect((await login(email, 'new password 2')).statusCode).toBe(200);
  });

  it('when wrong current passwords keep coming, then password changes are throttled with Retry-After', async () => {
    const session = await register(h.app);
    const change = (currentPassword: string) =>
      post(
        h.app,
        '/api/users/me/password',
        { currentPassword, newPassword: 'a new password' },
        session.accessToken,
      );
    for (let i = 0; i < 5; i++) {
      expect(code(await change(`wrong-${i}-password`))).toBe('wrong-password');
    }
    const throttled = await change('correct horse battery');
    expect(throttled.statusCode).toBe(429);
    expect(code(throttled)).toBe('too-many-attempts');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('when the access token is not one of ours, then 401 invalid-token', async () => {
    const response = await me('not-a-token');
    expect(response.statusCode).toBe(401);
    expect(code(response)).toBe('invalid-token');
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
    expect(code(response)).toBe('invalid-json');
  });
});
