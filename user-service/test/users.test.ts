import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN, DEMO_BUYER, DEMO_PASSWORD, DEMO_SELLERS } from '@marketplace/contracts';
import { createDb } from '@marketplace/db';
import { createAccessTokenVerifier, createLocalJWKSet, type JWK } from '@marketplace/jwt';
import { silentLogger } from '@marketplace/testing';
import { buildApp } from '../src/app.ts';
import type { DB } from '../src/data/schema.ts';
import { seedDemoUsers } from '../src/demo/seed.ts';
import { createPasswordHasher } from '../src/domain/password.ts';
import { code, fields, post, register, startUserService, adminSession, bearer } from './harness.ts';
import type { Harness, ProblemBody, Session } from './harness.ts';

interface Page {
  items: { id: string; email: string; role: string; blocked: boolean }[];
  nextCursor: string | null;
}

describe('user-service: profiles, admin and keys', () => {
  let h: Harness;
  let admin: Session;

  beforeAll(async () => {
    h = await startUserService();
    admin = await adminSession(h);
  });
  afterAll(async () => {
    await h?.close();
  });

  const as = bearer;
  const patch = (url: string, payload: object, token: string) =>
    h.app.inject({ method: 'PATCH', url, payload, headers: as(token) });

  it('when the demo accounts are seeded, then each logs in with its fixed id and role', async () => {
    expect(admin.user).toMatchObject({ id: DEMO_ADMIN.id, role: 'admin' });
    const seller = await post(h.app, '/api/auth/login', {
      email: DEMO_SELLERS[1].email,
      password: DEMO_PASSWORD,
    });
    expect(seller.json<Session>().user).toMatchObject({ id: DEMO_SELLERS[1].id, role: 'seller' });
    const buyer = await post(h.app, '/api/auth/login', {
      email: DEMO_BUYER.email,
      password: DEMO_PASSWORD,
    });
    expect(buyer.json<Session>().user.role).toBe('buyer');
  });

  it('when the seed runs again, then it creates nothing', async () => {
    const db = createDb<DB>({ url: h.config.MYSQL_URL, database: h.config.DB_NAME });
    try {
      const hasher = createPasswordHasher({ cost: 1024 });
      expect(await seedDemoUsers(db, hasher, silentLogger)).toEqual([]);
    } finally {
      await db.destroy();
    }
  });

  it('when a user edits their profile, then the changes are kept and null clears', async () => {
    const { accessToken } = await register(h.app);
    const address = { line1: '1 Main St', city: 'Springfield', postalCode: '12345', country: 'US' };
    const changed = await patch(
      '/api/users/me',
      { name: 'New Name', phone: '+1 555 0100', address, role: 'admin' },
      accessToken,
    );
    expect(changed.statusCode).toBe(200);
    expect(changed.json()).toMatchObject({
      name: 'New Name',
      phone: '+1 555 0100',
      address,
      role: 'buyer',
    });
    const cleared = await patch('/api/users/me', { phone: null, address: null }, accessToken);
    expect(cleared.json()).toMatchObject({ name: 'New Name', phone: null, address: null });
  });

  it('when a profile change is invalid, then the 400 names the field', async () => {
    const { accessToken } = await register(h.app);
    const bad = await patch(
      '/api/users/me',
      { phone: 'call me', address: { line1: 'x', city: 'y', postalCode: 'z', country: 'usa' } },
      accessToken,
    );
    expect(bad.statusCode).toBe(400);
    expect(fields(bad)).toEqual(expect.arrayContaining(['phone', 'address.country']));
    expect(code(bad)).toBe('validation-error');
  });

  it('when a buyer calls admin routes, then 403', async () => {
    const buyer = await register(h.app);
    const list = await h.app.inject({ url: '/api/users', headers: as(buyer.accessToken) });
    expect(list.statusCode).toBe(403);
    expect(code(list)).toBe('forbidden');
    const other = await register(h.app);
    const response = await patch(
      `/api/users/${other.user.id}`,
      { role: 'admin' },
      buyer.accessToken,
    );
    expect(response.statusCode).toBe(403);
    expect(code(response)).toBe('forbidden');
  });

  it('when an admin pages through users, then every user appears once', async () => {
    for (let i = 0; i < 3; i++) await register(h.app, { role: 'seller' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const response = await h.app.inject({
        url: `/api/users?limit=2&role=seller${query}`,
        headers: as(admin.accessToken),
      });
      expect(response.statusCode).toBe(200);
      const page = response.json<Page>();
      expect(page.items.length).toBeLessThanOrEqual(2);
      expect(page.items.every((u) => u.role === 'seller')).toBe(true);
      seen.push(...page.items.map((u) => u.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(3 + DEMO_SELLERS.length);
    const bad = await h.app.inject({
      url: '/api/users?cursor=junk',
      headers: as(admin.accessToken),
    });
    expect(bad.statusCode).toBe(400);
    expect(fields(bad)).toEqual(['querystring.cursor']);
    expect(code(bad)).toBe('invalid-cursor');
  });

  it('when an admin blocks a user, then they cannot log in, refresh or use their token', async () => {
    const victim = await register(h.app, { password: 'blocked password' });
    const blocked = await patch(
      `/api/users/${victim.user.id}`,
      { blocked: true },
      admin.accessToken,
    );
    expect(blocked.statusCode).toBe(200);
    expect(blocked.json()).toMatchObject({ id: victim.user.id, blocked: true });

    const login = await post(h.app, '/api/auth/login', {
      email: victim.user.email,
      password: 'blocked password',
    });
    expect(login.statusCode).toBe(403);
    expect(login.json<ProblemBody>().type).toContain('account-blocked');
    expect(code(login)).toBe('account-blocked');
    const refreshed = await post(h.app, '/api/auth/refresh', { refreshToken: victim.refreshToken });
    expect(refreshed.statusCode).toBe(401);
    expect(code(refreshed)).toBe('invalid-refresh-token');
    const me = await h.app.inject({ url: '/api/users/me', headers: as(victim.accessToken) });
    expect(me.statusCode).toBe(403);
    expect(code(me)).toBe('account-blocked');

    await patch(`/api/users/${victim.user.id}`, { blocked: false }, admin.accessToken);
    const back = await post(h.app, '/api/auth/login', {
      email: victim.user.email,
      password: 'blocked password',
    });
    expect(back.statusCode).toBe(200);
  });

  it('when a blocked user still holds a live refresh token, then refreshing is a 403 and ends that session', async () => {
    const victim = await register(h.app);
    // Blocking through the API revokes every token at once; this is the account blocked with a
    // token that escaped that (a refresh racing the block).
    const db = createDb<DB>({ url: h.config.MYSQL_URL, database: h.config.DB_NAME });
    const setBlocked = (blocked: number) =>
      db.updateTable('users').set({ blocked }).where('id', '=', victim.user.id).execute();
    const refresh = () => post(h.app, '/api/auth/refresh', { refreshToken: victim.refreshToken });
    try {
      await setBlocked(1);
      const refused = await refresh();
      expect(refused.statusCode).toBe(403);
      expect(code(refused)).toBe('account-blocked');
      await setBlocked(0);
      expect(code(await refresh())).toBe('invalid-refresh-token');
    } finally {
      await db.destroy();
    }
  });

  it('when an admin changes a role, then the next refresh carries it', async () => {
    const user = await register(h.app);
    const promoted = await patch(
      `/api/users/${user.user.id}`,
      { role: 'seller' },
      admin.accessToken,
    );
    expect(promoted.json()).toMatchObject({ role: 'seller' });
    const refreshed = await post(h.app, '/api/auth/refresh', { refreshToken: user.refreshToken });
    expect(refreshed.json<Session>().user.role).toBe('seller');
  });

  it('when an admin targets themselves or nobody, then 400 or 404', async () => {
    const self = await patch(`/api/users/${admin.user.id}`, { blocked: true }, admin.accessToken);
    expect(self.statusCode).toBe(400);
    expect(fields(self)).toEqual(['blocked']);
    expect(code(self)).toBe('cannot-change-self');
    const demoted = await patch(
      `/api/users/${admin.user.id}`,
      { role: 'buyer' },
      admin.accessToken,
    );
    expect(demoted.statusCode).toBe(400);
    expect(fields(demoted)).toEqual(['role']);
    expect(code(demoted)).toBe('cannot-change-self');
    const nobody = await patch(
      '/api/users/00000000-0000-4000-8000-00000000dead',
      { blocked: true },
      admin.accessToken,
    );
    expect(nobody.statusCode).toBe(404);
    expect(code(nobody)).toBe('user-not-found');
    const notAnId = await patch('/api/users/42', { blocked: true }, admin.accessToken);
    expect(notAnId.statusCode).toBe(400);
    expect(code(notAnId)).toBe('validation-error');
  });

  it('when a token is checked against the JWKS, then it verifies with the pinned claims', async () => {
    const session = await register(h.app, { role: 'seller' });
    for (const url of ['/api/auth/jwks', '/.well-known/jwks.json']) {
      const response = await h.app.inject({ url });
      expect(response.statusCode).toBe(200);
      const jwks = response.json<{ keys: JWK[] }>();
      expect(jwks.keys.length).toBeGreaterThan(0);
      expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
      const verifier = createAccessTokenVerifier({
        jwks: createLocalJWKSet(jwks),
        issuer: 'marketplace-user-service',
        audience: 'marketplace',
      });
      expect(await verifier.verify(session.accessToken)).toMatchObject({
        userId: session.user.id,
        role: 'seller',
      });
    }
  });

  it('when tokens are issued (register, login, refresh, password change), then each carries the current name', async () => {
    const jwks = (await h.app.inject({ url: '/api/auth/jwks' })).json<{ keys: JWK[] }>();
    const verifier = createAccessTokenVerifier({
      jwks: createLocalJWKSet(jwks),
      issuer: 'marketplace-user-service',
      audience: 'marketplace',
      cacheSize: 0,
    });
    const nameIn = async (session: Session) => (await verifier.verify(session.accessToken)).name;
    const registered = await register(h.app, { role: 'seller', name: 'Quill & Co' });
    expect(await nameIn(registered)).toBe('Quill & Co');
    const login = await post(h.app, '/api/auth/login', {
      email: registered.user.email,
      password: 'correct horse battery',
    });
    expect(await nameIn(login.json<Session>())).toBe('Quill & Co');

    const renamed = await patch(
      '/api/users/me',
      { name: 'Quill Stationers' },
      login.json<Session>().accessToken,
    );
    expect(renamed.statusCode).toBe(200);
    const refreshed = await post(h.app, '/api/auth/refresh', {
      refreshToken: login.json<Session>().refreshToken,
    });
    expect(await nameIn(refreshed.json<Session>())).toBe('Quill Stationers');
    const changed = await post(
      h.app,
      '/api/users/me/password',
      { currentPassword: 'correct horse battery', newPassword: 'a brand new password' },
      refreshed.json<Session>().accessToken,
    );
    expect(changed.statusCode).toBe(200);
    expect(await nameIn(changed.json<Session>())).toBe('Quill Stationers');
  });

  it('when the service restarts, then its key and tokens stay valid', async () => {
    const session = await register(h.app);
    const { app: restarted } = await buildApp(h.config, { logger: false });
    try {
      const response = await restarted.inject({
        url: '/api/users/me',
        headers: as(session.accessToken),
      });
      expect(response.statusCode).toBe(200);
      const before = (await h.app.inject({ url: '/api/auth/jwks' })).json<{ keys: JWK[] }>();
      const after = (await restarted.inject({ url: '/api/auth/jwks' })).json<{ keys: JWK[] }>();
      expect(after.keys.map((k) => k.kid)).toEqual(before.keys.map((k) => k.kid));
    } finally {
      await restarted.close();
    }
  });

  it('when the service is asked about itself, then health, readiness and OpenAPI answer', async () => {
    expect((await h.app.inject({ url: '/health' })).statusCode).toBe(200);
    const ready = await h.app.inject({ url: '/ready' });
    expect(ready.json()).toMatchObject({
      status: 'ready',
      checks: { database: 'ok', broker: 'ok' },
    });
    const openapi = await h.app.inject({ url: '/openapi.json' });
    expect(Object.keys(openapi.json<{ paths: object }>().paths)).toEqual(
      expect.arrayContaining(['/api/auth/register', '/api/users/me', '/api/users/{id}']),
    );
  });
});
