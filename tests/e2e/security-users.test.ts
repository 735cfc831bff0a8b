import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_ADMIN,
  DEMO_PASSWORD,
  type AuthSession,
  type Category,
  type Problem,
  type Product,
  type User,
} from '@marketplace/contracts';
import { waitFor } from '@marketplace/testing';
import { startStack, type Stack } from './stack.ts';

/** Access tokens live this long in this stack, so "within one token lifetime" can be waited for. */
const ACCESS_TTL_SECONDS = 4;
const PASSWORD = 'correct horse battery staple';

// Profiles, admin, blocking and user.updated, through the gateway's port only.
describe('users: blocking, escalation, BOLA and renames, end to end', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        'user-service': {
          JWT_ACCESS_TTL_SECONDS: String(ACCESS_TTL_SECONDS),
          // Logins are not what this suite measures; the default cost would eat the short lifetime.
          SCRYPT_COST: '16384',
        },
      },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function call<T>(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${stack.gatewayUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
  }

  const register = async (name: string, role: 'buyer' | 'seller' = 'buyer') => {
    const email = `${role}-${randomUUID()}@example.test`;
    const reply = await call<AuthSession>('POST', '/api/auth/register', {
      email,
      password: PASSWORD,
      name,
      role,
    });
    expect(reply.status).toBe(201);
    return { ...reply.body, email };
  };
  /** A fresh session: tokens here expire within seconds. */
  const login = async (email: string, password = PASSWORD) => {
    const reply = await call<AuthSession>('POST', '/api/auth/login', { email, password });
    expect(reply.status).toBe(200);
    return reply.body;
  };
  const admin = () => login(DEMO_ADMIN.email, DEMO_PASSWORD);

  it('when a user is blocked, then refresh fails at once, their live stream closes, and their access token dies within its lifetime', async () => {
    const victim = await register('Soon Blocked');
    const stream = await fetch(
      `${stack.gatewayUrl}/api/notifications/stream?access_token=${victim.accessToken}`,
    );
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let closed = false;
    void (async () => {
      while (!(await reader.read()).done);
      closed = true;
    })();

    const blocked = await call<User>(
      'PATCH',
      `/api/users/${victim.user.id}`,
      { blocked: true },
      (await admin()).accessToken,
    );
    expect(blocked.status).toBe(200);
    expect(blocked.body.blocked).toBe(true);

    const refreshed = await call<Problem>('POST', '/api/auth/refresh', {
      refreshToken: victim.refreshToken,
    });
    expect(refreshed.status).toBe(401);
    expect(refreshed.body.code).toBe('invalid-refresh-token');
    const again = await call<Problem>('POST', '/api/auth/login', {
      email: victim.email,
      password: PASSWORD,
    });
    expect(again.status).toBe(403);
    expect(again.body.code).toBe('account-blocked');
    const me = await call<Problem>('GET', '/api/users/me', undefined, victim.accessToken);
    expect(me.body.code).toBe('account-blocked');

    await waitFor(() => (closed ? true : undefined), {
      timeoutMs: 10_000,
      what: 'the blocked user’s live stream to close',
    });
    // Its token is still valid, but the stream cannot be reopened.
    const reopened = await fetch(
      `${stack.gatewayUrl}/api/notifications/stream?access_token=${victim.accessToken}`,
    );
    expect(reopened.status).toBe(403);
    expect(((await reopened.json()) as Problem).code).toBe('account-blocked');
    // Tokens are not looked up per request; the one issued before the block expires on time.
    const dead = await waitFor(
      async () => {
        const reply = await call<Problem>(
          'GET',
          '/api/notifications',
          undefined,
          victim.accessToken,
        );
        return reply.status === 401 ? reply : undefined;
      },
      { timeoutMs: (ACCESS_TTL_SECONDS + 5) * 1000, intervalMs: 250, what: 'the token to expire' },
    );
    expect(dead.body.code).toBe('token-expired');
  });

  it('when someone tries to become admin through register or their profile, then they stay a buyer', async () => {
    const asAdmin = await call<Problem>('POST', '/api/auth/register', {
      email: `climber-${randomUUID()}@example.test`,
      password: PASSWORD,
      name: 'Climber',
      role: 'admin',
    });
    expect(asAdmin.status).toBe(400);
    expect(asAdmin.body.code).toBe('validation-error');

    const email = `sneaky-${randomUUID()}@example.test`;
    const sneaky = await call<AuthSession>('POST', '/api/auth/register', {
      email,
      password: PASSWORD,
      name: 'Sneaky',
      isAdmin: true,
      roles: ['admin'],
    });
    expect(sneaky.status).toBe(201);
    expect(sneaky.body.user.role).toBe('buyer');

    const session = await login(email);
    const patched = await call<User>(
      'PATCH',
      '/api/users/me',
      { role: 'admin', blocked: false, name: 'Still Sneaky' },
      session.accessToken,
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ role: 'buyer', name: 'Still Sneaky' });
    const after = await login(email);
    expect(after.user.role).toBe('buyer');
    const list = await call<Problem>('GET', '/api/users', undefined, after.accessToken);
    expect(list.status).toBe(403);
    expect(list.body.code).toBe('forbidden');
  });

  it("when a buyer reads or changes another user's profile, then 403, and /users/me is only ever theirs", async () => {
    const me = await register('Curious Buyer');
    const other = await register('Other Person');
    const token = (await login(me.email)).accessToken;
    const read = await call<Problem>('GET', `/api/users/${other.user.id}`, undefined, token);
    expect(read.status).toBe(403);
    expect(read.body.code).toBe('forbidden');
    const write = await call<Problem>(
      'PATCH',
      `/api/users/${other.user.id}`,
      { blocked: true, role: 'buyer' },
      token,
    );
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('forbidden');
    const own = await call<User>(
      'PATCH',
      '/api/users/me',
      { id: other.user.id, name: 'Mine' },
      token,
    );
    expect(own.body).toMatchObject({ id: me.user.id, name: 'Mine' });
    const theirs = await call<User>(
      'GET',
      '/api/users/me',
      undefined,
      (await login(other.email)).accessToken,
    );
    expect(theirs.body).toMatchObject({ name: 'Other Person', blocked: false });
  });

  it('when a seller renames themself, then their products in the catalog show the new name', async () => {
    const seller = await register('Old Shop Name', 'seller');
    const categories = await call<Category[]>('GET', '/api/categories');
    const categoryId = categories.body[0]?.id ?? '';
    const created = await call<Product>(
      'POST',
      '/api/products',
      {
        title: 'Renamed lantern',
        description: 'Listed before the rename.',
        priceMinor: 1200,
        currency: 'EUR',
        stock: 3,
        categoryId,
        images: [],
      },
      (await login(seller.email)).accessToken,
    );
    expect(created.status).toBe(201);
    expect(created.body.sellerName).toBe('Old Shop Name');

    const renamed = await call<User>(
      'PATCH',
      '/api/users/me',
      { name: 'New Shop Name', language: 'ru' },
      (await login(seller.email)).accessToken,
    );
    expect(renamed.body).toMatchObject({ name: 'New Shop Name', language: 'ru' });
    await waitFor(
      async () => {
        const product = await call<Product>('GET', `/api/products/${created.body.id}`);
        return product.body.sellerName === 'New Shop Name' ? true : undefined;
      },
      { timeoutMs: 15_000, what: 'the rename to reach the catalog' },
    );
  });
});
