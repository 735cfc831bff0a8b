import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ADMIN, type User, type UserPage } from '@marketplace/contracts';
import {
  code,
  fields,
  freshEmail,
  post,
  register,
  startUserService,
  adminSession,
  bearer,
} from './harness.ts';
import type { Harness, Session } from './harness.ts';

describe('user-service: profile fields, admin search, escalation and BOLA', () => {
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
  const get = (url: string, token: string) => h.app.inject({ url, headers: as(token) });

  async function search(query: string): Promise<UserPage> {
    const response = await get(`/api/users?${query}`, admin.accessToken);
    expect(response.statusCode).toBe(200);
    return response.json<UserPage>();
  }

  it('when a user registers, then their language is en; a change to ru is kept and shown', async () => {
    const { accessToken } = await register(h.app);
    expect((await get('/api/users/me', accessToken)).json<User>().language).toBe('en');
    const changed = await patch('/api/users/me', { language: 'ru' }, accessToken);
    expect(changed.statusCode).toBe(200);
    expect(changed.json<User>().language).toBe('ru');
    expect((await get('/api/users/me', accessToken)).json<User>().language).toBe('ru');
    const bad = await patch('/api/users/me', { language: 'de' }, accessToken);
    expect(bad.statusCode).toBe(400);
    expect(code(bad)).toBe('validation-error');
    expect(fields(bad)).toEqual(['language']);
  });

  it('when a profile address has the shipping shape, then it is kept with its recipient name; without one too', async () => {
    const { accessToken } = await register(h.app);
    const shipping = {
      name: 'Ann Receiver',
      line1: '5 Side St',
      line2: 'Flat 2',
      city: 'Riga',
      postalCode: 'LV-1010',
      country: 'LV',
    };
    const saved = await patch(
      '/api/users/me',
      { address: shipping, phone: '+371 2000 0000' },
      accessToken,
    );
    expect(saved.statusCode).toBe(200);
    expect(saved.json<User>()).toMatchObject({ address: shipping, phone: '+371 2000 0000' });
    const { name: _recipient, ...postal } = shipping;
    const plain = await patch('/api/users/me', { address: postal }, accessToken);
    expect(plain.json<User>().address).toEqual(postal);
    const blankName = await patch(
      '/api/users/me',
      { address: { ...postal, name: ' ' } },
      accessToken,
    );
    expect(blankName.statusCode).toBe(400);
    expect(fields(blankName)).toContain('address.name');
  });

  it('when someone registers as admin, then 400; extra fields on register or profile are dropped', async () => {
    const asAdmin = await post(h.app, '/api/auth/register', {
      email: freshEmail('climber'),
      password: 'correct horse battery',
      name: 'Climber',
      role: 'admin',
    });
    expect(asAdmin.statusCode).toBe(400);
    expect(code(asAdmin)).toBe('validation-error');
    expect(fields(asAdmin)).toEqual(['role']);

    const sneaky = await post(h.app, '/api/auth/register', {
      email: freshEmail('sneaky'),
      password: 'correct horse battery',
      name: 'Sneaky',
      blocked: false,
      isAdmin: true,
      roles: ['admin'],
    });
    expect(sneaky.statusCode).toBe(201);
    const session = sneaky.json<Session>();
    expect(session.user.role).toBe('buyer');

    const escalated = await patch(
      '/api/users/me',
      {
        name: 'Still Buyer',
        role: 'admin',
        blocked: false,
        email: 'admin@x.test',
        id: DEMO_ADMIN.id,
      },
      session.accessToken,
    );
    expect(escalated.statusCode).toBe(200);
    expect(escalated.json<User>()).toMatchObject({
      id: session.user.id,
      email: session.user.email,
      name: 'Still Buyer',
      role: 'buyer',
    });
    const refreshed = await post(h.app, '/api/auth/refresh', {
      refreshToken: session.refreshToken,
    });
    expect(refreshed.json<Session>().user.role).toBe('buyer');
    const adminList = await get('/api/users', refreshed.json<Session>().accessToken);
    expect(adminList.statusCode).toBe(403);
    expect(code(adminList)).toBe('forbidden');
  });

  it("when a buyer reads or changes another user's profile, then 403 and nothing changes", async () => {
    const buyer = await register(h.app);
    const other = await register(h.app, { name: 'Other Person' });
    const read = await get(`/api/users/${other.user.id}`, buyer.accessToken);
    expect(read.statusCode).toBe(403);
    expect(code(read)).toBe('forbidden');
    const changed = await patch(
      `/api/users/${other.user.id}`,
      { name: 'Hijacked', blocked: true },
      buyer.accessToken,
    );
    expect(changed.statusCode).toBe(403);
    expect(code(changed)).toBe('forbidden');
    // /users/me is the token's subject whatever the body says.
    await patch('/api/users/me', { id: other.user.id, name: 'Mine' }, buyer.accessToken);
    expect((await get('/api/users/me', other.accessToken)).json<User>().name).toBe('Other Person');
    expect((await get('/api/users/me', buyer.accessToken)).json<User>().name).toBe('Mine');
    // An admin does see one account by id.
    const byAdmin = await get(`/api/users/${other.user.id}`, admin.accessToken);
    expect(byAdmin.json<User>()).toMatchObject({ id: other.user.id, name: 'Other Person' });
    const nobody = await get('/api/users/00000000-0000-4000-8000-000000000000', admin.accessToken);
    expect(nobody.statusCode).toBe(404);
    expect(code(nobody)).toBe('user-not-found');
  });

  it('when an admin searches, then q matches an e-mail prefix or a part of the name, any case', async () => {
    const tag = `zq${Date.now().toString(36)}`;
    const byEmail = await register(h.app, {
      email: `${tag}-mail@example.test`,
      name: 'Plain Name',
    });
    const byName = await register(h.app, { name: `Mrs ${tag.toUpperCase()} Smith` });
    await register(h.app, { name: 'Unrelated' });

    const ids = (page: UserPage) => page.items.map((u) => u.id).sort();
    expect(ids(await search(`q=${tag}`))).toEqual([byEmail.user.id, byName.user.id].sort());
    expect(ids(await search(`q=${tag.toUpperCase()}-MAIL@`))).toEqual([byEmail.user.id]);
    // With an @ only the e-mail counts, and only as a prefix.
    expect(ids(await search(`q=mail@example.test`))).not.toContain(byEmail.user.id);
    // LIKE's wildcards are literal characters in q.
    expect((await search(`q=${encodeURIComponent('%')}`)).items).toEqual([]);
    expect((await search(`q=_`)).items).toEqual([]);
    const blank = await get('/api/users?q=%20', admin.accessToken);
    expect(blank.statusCode).toBe(400);
    expect(fields(blank)).toEqual(['querystring.q']);
  });

  it('when an admin filters by blocked and role and pages, then every match appears once, newest first', async () => {
    const tag = `bl${Date.now().toString(36)}`;
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const user = await register(h.app, { name: `${tag} ${i}`, role: i % 2 ? 'seller' : 'buyer' });
      made.push(user.user.id);
      if (i < 4) {
        const blocked = await patch(
          `/api/users/${user.user.id}`,
          { blocked: true },
          admin.accessToken,
        );
        expect(blocked.statusCode).toBe(200);
      }
    }
    const seen: User[] = [];
    let cursor: string | null = null;
    do {
      const page: UserPage = await search(
        `q=${tag}&blocked=true&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((u) => u.id)).toEqual(made.slice(0, 4).reverse());
    expect(seen.every((u) => u.blocked)).toBe(true);

    const sellers = await search(`q=${tag}&blocked=true&role=seller`);
    expect(sellers.items.map((u) => u.id)).toEqual([made[3], made[1]]);
    const active = await search(`q=${tag}&blocked=false`);
    expect(active.items.map((u) => u.id)).toEqual([made[4]]);
  });
});
