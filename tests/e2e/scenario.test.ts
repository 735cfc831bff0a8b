import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_PASSWORD,
  DEMO_SELLERS,
  type AuthSession,
  type CheckoutResult,
  type Notification,
  type Order,
  type PageOf as Page,
  type Problem,
  type Product,
} from '@marketplace/contracts';
import { waitFor } from '@marketplace/testing';
import { startStack, type Stack } from './stack.ts';
import { gatewayClient, type Reply } from './client.ts';

// The founding scenario (seed, section 9), through the gateway's HTTP port only.
describe('the founding scenario, end to end', () => {
  let stack: Stack;
  let api: ReturnType<typeof gatewayClient>;
  const buyerEmail = `buyer-${randomUUID()}@example.test`;
  let buyer: AuthSession;
  let seller: AuthSession;
  let products: Product[] = [];
  let orders: Order[] = [];

  beforeAll(async () => {
    stack = await startStack();
    api = gatewayClient(stack.gatewayUrl);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const notificationsOf = (token: string) =>
    api.get<Page<Notification>>('/api/notifications?limit=100', token).then((r) => r.body.items);

  const waitForNotification = (token: string, match: (n: Notification) => boolean, what: string) =>
    waitFor(async () => (await notificationsOf(token)).find(match), { timeoutMs: 15_000, what });

  it('when a person registers, then they get an account and tokens', async () => {
    const reply = await api.post<AuthSession>('/api/auth/register', {
      email: buyerEmail,
      password: 'correct horse battery staple',
      name: 'Ada Buyer',
    });
    expect(reply.status).toBe(201);
    expect(reply.body.user).toMatchObject({ email: buyerEmail, role: 'buyer' });
    expect(reply.body.accessToken.split('.')).toHaveLength(3);
  });

  it('when they log in, then they get a JWT that the gateway accepts', async () => {
    const reply = await api.post<AuthSession>('/api/auth/login', {
      email: buyerEmail,
      password: 'correct horse battery staple',
    });
    expect(reply.status).toBe(200);
    buyer = reply.body;
    const me = await api.get<{ email: string }>('/api/users/me', buyer.accessToken);
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(buyerEmail);
    expect((await api.get('/api/users/me')).status).toBe(401);
  });

  it('when the new buyer looks at notifications, then they were greeted', async () => {
    await waitForNotification(buyer.accessToken, (n) => n.type === 'welcome', 'the greeting');
  });

  it('when they browse and search the catalog, then they find products of several sellers', async () => {
    const page = await api.get<Page<Product>>('/api/products?limit=100');
    expect(page.status).toBe(200);
    expect(page.body.items.length).toBeGreaterThanOrEqual(40);
    const sellers = new Set(page.body.items.map((p) => p.sellerId));
    expect(sellers.size).toBeGreaterThanOrEqual(2);

    const sample = page.body.items.find((p) => p.stock >= 2 && p.sellerId === DEMO_SELLERS[0].id);
    expect(sample).toBeDefined();
    const word = sample!.title.split(/\s+/).find((w) => w.length >= 4) ?? sample!.title;
    const search = await api.get<Page<Product>>(`/api/products?q=${encodeURIComponent(word)}`);
    expect(search.status).toBe(200);
    expect(search.body.items.map((p) => p.id)).toContain(sample!.id);

    const other = page.body.items.find((p) => p.stock >= 1 && p.sellerId !== sample!.sellerId);
    expect(other).toBeDefined();
    products = [sample!, other!];
  });

  it('when they order from two sellers, then there is one order per seller and stock is reserved', async () => {
    const key = randomUUID();
    const body = {
      items: [
        { productId: products[0]!.id, quantity: 2 },
        { productId: products[1]!.id, quantity: 1 },
      ],
      shippingAddress: {
        name: 'Ada Buyer',
        line1: '1 Main St',
        city: 'Springfield',
        postalCode: '12345',
        country: 'US',
      },
    };
    const reply = await api.post<CheckoutResult>('/api/orders', body, buyer.accessToken, {
      'idempotency-key': key,
    });
    expect(reply.status).toBe(201);
    orders = reply.body.orders;
    expect(orders).toHaveLength(2);
    expect(new Set(orders.map((o) => o.sellerId))).toEqual(
      new Set([products[0]!.sellerId, products[1]!.sellerId]),
    );

    const replay = await api.post<{ checkoutId: string }>('/api/orders', body, buyer.accessToken, {
      'idempotency-key': key,
    });
    expect(replay.status).toBe(201);
    expect(replay.body.checkoutId).toBe(reply.body.checkoutId);

    const after = await api.get<Product>(`/api/products/${products[0]!.id}`);
    expect(after.body.stock).toBe(products[0]!.stock - 2);
    const mine = await api.get<Page<Order>>('/api/orders', buyer.accessToken);
    expect(mine.body.items).toHaveLength(2);
  });

  it('when the order is placed, then the buyer and the seller are each notified', async () => {
    const order = orders.find((o) => o.sellerId === DEMO_SELLERS[0].id)!;
    await waitForNotification(
      buyer.accessToken,
      (n) => n.type === 'order.placed' && n.data.orderId === order.id,
      "the buyer's order notification",
    );
    const login = await api.post<AuthSession>('/api/auth/login', {
      email: DEMO_SELLERS[0].email,
      password: DEMO_PASSWORD,
    });
    expect(login.status).toBe(200);
    seller = login.body;
    await waitForNotification(
      seller.accessToken,
      (n) => n.type === 'order.received' && n.data.orderId === order.id,
      "the seller's new-order notification",
    );
  });

  it('when the seller confirms, then the buyer is told', async () => {
    const order = orders.find((o) => o.sellerId === DEMO_SELLERS[0].id)!;
    const incoming = await api.get<Page<Order>>('/api/seller/orders', seller.accessToken);
    expect(incoming.body.items.map((o) => o.id)).toContain(order.id);

    const confirm: Reply<Order> = await api.post(
      `/api/orders/${order.id}/status`,
      { status: 'confirmed' },
      seller.accessToken,
    );
    expect(confirm.status).toBe(200);
    expect(confirm.body.status).toBe('confirmed');

    const told = await waitForNotification(
      buyer.accessToken,
      (n) => n.type === 'order.confirmed' && n.data.orderId === order.id,
      'the confirmation notification',
    );
    expect(told.data).toMatchObject({ to: 'confirmed' });

    const skip = await api.post(
      `/api/orders/${order.id}/status`,
      { status: 'delivered' },
      seller.accessToken,
    );
    expect(skip.status).toBe(409);
  });

  it('when a client asks for anything internal, then the gateway answers 404', async () => {
    const internal = await fetch(`${stack.gatewayUrl}/internal/products/lookup`, {
      method: 'POST',
    });
    expect(internal.status).toBe(404);
    const unknown = await api.get('/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
  });

  it('when a list is asked for a non-finite limit or price, then its service answers 400 naming the field', async () => {
    const token = buyer.accessToken;
    for (const [path, field] of [
      ['/api/products?limit=Infinity', 'querystring.limit'],
      ['/api/products?minPrice=-Infinity', 'querystring.minPrice'],
      ['/api/orders?limit=1e309', 'querystring.limit'],
      ['/api/notifications?limit=Infinity', 'querystring.limit'],
    ] as const) {
      const reply = await api.get<Problem>(path, token);
      expect(reply.status, path).toBe(400);
      expect(reply.body.code, path).toBe('validation-error');
      expect(reply.body.errors?.[0]?.field, path).toBe(field);
    }
  });
});
