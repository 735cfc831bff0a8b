import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '@marketplace/testing';
import type { CheckoutResult, HistoryEntry, Order, PageOf, Problem } from '@marketplace/contracts';
import { address, Harness, type User } from './harness.ts';

describe('orders after checkout', () => {
  const h = new Harness();
  let buyer: User;
  let seller: User;

  beforeAll(async () => {
    await h.start();
    buyer = await h.user('buyer');
    seller = await h.user('seller');
  });

  afterAll(() => h.stop());

  async function placeOrder(
    quantity = 1,
    stock = 10,
  ): Promise<{ order: Order; productId: string }> {
    const product = await h.createProduct(seller, { stock });
    const response = await h.orders.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { authorization: buyer.auth, 'idempotency-key': randomUUID() },
      payload: { items: [{ productId: product.id, quantity }], shippingAddress: address },
    });
    const order = response.json<CheckoutResult>().orders[0];
    if (response.statusCode !== 201 || !order) throw new Error(`checkout failed: ${response.body}`);
    return { order, productId: product.id };
  }

  const get = (user: User, url: string) =>
    h.orders.inject({ method: 'GET', url, headers: { authorization: user.auth } });

  const move = (user: User, orderId: string, status: string, note?: string, requestId?: string) =>
    h.orders.inject({
      method: 'POST',
      url: `/api/orders/${orderId}/status`,
      headers: { authorization: user.auth, ...(requestId ? { 'x-request-id': requestId } : {}) },
      payload: { status, ...(note ? { note } : {}) },
    });

  it('when the buyer, the seller or an admin asks for an order, then they see it; a stranger gets 404', async () => {
    const { order } = await placeOrder();
    const admin = await h.user('admin');
    const stranger = await h.user('seller');

    for (const user of [buyer, seller, admin]) {
      expect((await get(user, `/api/orders/${order.id}`)).json<Order>().id).toBe(order.id);
      expect((await get(user, `/api/orders/${order.id}/history`)).statusCode).toBe(200);
    }
    const answers = [
      await get(stranger, `/api/orders/${order.id}`),
      await get(stranger, `/api/orders/${order.id}/history`),
      await move(stranger, order.id, 'cancelled'),
      await get(stranger, `/api/orders/${randomUUID()}`),
    ];
    for (const answer of answers) {
      expect(answer.statusCode).toBe(404);
      expect(answer.json<Problem>().code).toBe('order-not-found');
    }
  });

  it('when orders were placed, then /metrics tells what waits in the outbox and who publishes it', async () => {
    await placeOrder();
    const metrics = await waitFor(async () => {
      const body = (await h.orders.inject({ method: 'GET', url: '/metrics' })).body;
      // Published by now: nothing pending, and this instance holds the relay's lease.
      return /outbox_pending_events\{[^}]*\} 0\n/.test(body) &&
        /outbox_relay_holder\{[^}]*\} 1\n/.test(body)
        ? body
        : undefined;
    });
    expect(metrics).toMatch(/outbox_oldest_pending_seconds\{[^}]*\} 0\n/);
  });

  it('when there is no token, then 401, before the body is even looked at', async () => {
    const list = await h.orders.inject({ method: 'GET', url: '/api/orders' });
    expect(list.statusCode).toBe(401);
    expect(list.json<Problem>().code).toBe('unauthorized');
    const post = await h.orders.inject({ method: 'POST', url: '/api/orders', payload: {} });
    expect(post.statusCode).toBe(401);
    expect(post.json<Problem>().code).toBe('unauthorized');
  });

  it('when the seller moves an order along, then each step is recorded and published', async () => {
    const { order } = await placeOrder();
    const requestId = `ship-${randomUUID()}`;

    expect((await move(seller, order.id, 'confirmed')).json<Order>().status).toBe('confirmed');
    const shipped = await move(seller, order.id, 'shipped', 'DHL 123', requestId);
    expect(shipped.statusCode).toBe(200);
    expect((await move(seller, order.id, 'delivered')).json<Order>().status).toBe('delivered');

    const history = (await get(buyer, `/api/orders/${order.id}/history`)).json<{
      items: HistoryEntry[];
    }>();
    expect(history.items.map((e) => [e.from, e.to, e.actorRole])).toEqual([
      [null, 'created', 'buyer'],
      ['created', 'confirmed', 'seller'],
      ['confirmed', 'shipped', 'seller'],
      ['shipped', 'delivered', 'seller'],
    ]);
    expect(history.items[2]).toMatchObject({ note: 'DHL 123', actorId: seller.id });
    const event = await h.event('order.status_changed', order.id, 'shipped');
    expect(event.correlationId).toBe(requestId);
    expect(event.data).toEqual({
      orderId: order.id,
      buyerId: buyer.id,
      sellerId: seller.id,
      from: 'confirmed',
      to: 'shipped',
      note: 'DHL 123',
    });
  });

  it('when a transition is not allowed, then 409 invalid-transition; a buyer may not confirm (403)', async () => {
    const { order } = await placeOrder();
    const confirm = await move(buyer, order.id, 'confirmed');
    expect(confirm.statusCode).toBe(403);
    expect(confirm.json<Problem>().code).toBe('forbidden');

    const skip = await move(seller, order.id, 'shipped');
    expect(skip.statusCode).toBe(409);
    expect(skip.json<{ type: string }>().type).toMatch(/invalid-transition$/);
    expect(skip.json<Problem>().code).toBe('invalid-transition');

    await move(seller, order.id, 'confirmed');
    await move(seller, order.id, 'shipped');
    const late = await move(buyer, order.id, 'cancelled');
    expect(late.statusCode).toBe(409);
    expect(late.json<Problem>().code).toBe('invalid-transition');
  });

  it('when two changes race, then only one wins', async () => {
    const { order } = await placeOrder();
    const answers = await Promise.all([
      move(seller, order.id, 'confirmed'),
      move(seller, order.id, 'confirmed'),
    ]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 409]);
    // The row lock makes the second wait and then find the order confirmed already.
    expect(answers.find((a) => a.statusCode === 409)?.json<Problem>().code).toBe(
      'invalid-transition',
    );
    const history = (await get(seller, `/api/orders/${order.id}/history`)).json<{
      items: unknown[];
    }>();
    expect(history.items).toHaveLength(2);
  });

  it('when the buyer cancels, then the stock comes back and the change is published', async () => {
    const { order, productId } = await placeOrder(3, 5);
    expect(await h.stockOf(productId)).toBe(2);

    const response = await move(buyer, order.id, 'cancelled', 'changed my mind');

    expect(response.json<Order>().status).toBe('cancelled');
    expect(await h.stockOf(productId)).toBe(5);
    const event = await h.event('order.status_changed', order.id, 'cancelled');
    expect(event.data).toMatchObject({ from: 'created', to: 'cancelled', note: 'changed my mind' });
  });

  it('when product-service is down at cancel, then the release is kept and done once it is back', async () => {
    const { order, productId } = await placeOrder(2, 4);
    const cut = await h.orderApp(h.dbName, `http://127.0.0.1:${await freePort()}`, 60_000);

    const response = await cut.inject({
      method: 'POST',
      url: `/api/orders/${order.id}/status`,
      headers: { authorization: seller.auth },
      payload: { status: 'cancelled' },
    });

    expect(response.statusCode).toBe(200);
    // The instance that reaches product-service picks the owed release up.
    await waitFor(async () => ((await h.stockOf(productId)) === 4 ? true : undefined), {
      what: 'the owed release',
    });
    await waitFor(async () =>
      (await h.db.selectFrom('pending_releases').selectAll().execute()).length === 0
        ? true
        : undefined,
    );
  });

  it('when the buyer lists orders, then they get their own, newest first, page by page', async () => {
    const other = await h.user('buyer');
    const product = await h.createProduct(seller, { stock: 10 });
    const placed: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await h.orders.inject({
        method: 'POST',
        url: '/api/orders',
        headers: { authorization: other.auth, 'idempotency-key': randomUUID() },
        payload: { items: [{ productId: product.id, quantity: 1 }], shippingAddress: address },
      });
      placed.push(response.json<CheckoutResult>().orders[0]?.id ?? '');
    }

    const first = (await get(other, '/api/orders?limit=2')).json<PageOf<Order>>();
    const second = (await get(other, `/api/orders?limit=2&cursor=${first.nextCursor}`)).json<
      PageOf<Order>
    >();

    expect([...first.items, ...second.items].map((o) => o.id)).toEqual(placed.reverse());
    expect(second.nextCursor).toBeNull();
    const garbage = await get(other, '/api/orders?cursor=garbage');
    expect(garbage.statusCode).toBe(400);
    expect(garbage.json<Problem>().code).toBe('invalid-cursor');
  });

  it('when the seller lists orders, then they get the orders placed with them, by status if asked', async () => {
    const { order } = await placeOrder();
    await move(seller, order.id, 'confirmed');

    const all = (await get(seller, '/api/seller/orders?limit=100')).json<PageOf<Order>>();
    const confirmed = (await get(seller, '/api/seller/orders?status=confirmed&limit=100')).json<
      PageOf<Order>
    >();

    expect(all.items.every((o) => o.sellerId === seller.id)).toBe(true);
    expect(all.items.some((o) => o.id === order.id)).toBe(true);
    expect(confirmed.items.map((o) => o.status)).toEqual(confirmed.items.map(() => 'confirmed'));
    expect(confirmed.items.some((o) => o.id === order.id)).toBe(true);
    const asBuyer = await get(buyer, '/api/seller/orders');
    expect(asBuyer.statusCode).toBe(403);
    expect(asBuyer.json<Problem>().code).toBe('forbidden');
    expect((await get(seller, '/api/orders')).json<PageOf<Order>>().items).toEqual([]);
  });

  it('when a seller asks for their summary, then orders are counted per status and revenue per currency, delivered and open', async () => {
    const own = await h.user('seller');
    const buy = async (priceMinor: number, currency = 'EUR'): Promise<Order> => {
      const product = await h.createProduct(own, { priceMinor, currency, stock: 5 });
      const response = await h.orders.inject({
        method: 'POST',
        url: '/api/orders',
        headers: { authorization: buyer.auth, 'idempotency-key': randomUUID() },
        payload: { items: [{ productId: product.id, quantity: 2 }], shippingAddress: address },
      });
      const order = response.json<CheckoutResult>().orders[0];
      if (!order) throw new Error(`checkout failed: ${response.body}`);
      return order;
    };
    const walk = async (order: Order, ...statuses: string[]): Promise<void> => {
      for (const status of statuses)
        expect((await move(own, order.id, status)).statusCode).toBe(200);
    };
    await buy(1000);
    await walk(await buy(2000), 'confirmed');
    await walk(await buy(3000), 'confirmed', 'shipped');
    await walk(await buy(4000), 'confirmed', 'shipped', 'delivered');
    await walk(await buy(5000), 'cancelled');
    await buy(700, 'USD');

    const summary = await get(own, '/api/seller/summary');

    expect(summary.statusCode).toBe(200);
    // Quantity 2 each: created 2000 + 1400 (USD), confirmed 4000, shipped 6000, delivered 8000.
    expect(summary.json()).toEqual({
      counts: { created: 2, confirmed: 1, shipped: 1, delivered: 1, cancelled: 1 },
      revenue: [
        { currency: 'EUR', deliveredMinor: 8000, openMinor: 12000 },
        { currency: 'USD', deliveredMinor: 0, openMinor: 1400 },
      ],
    });
    const fresh = await h.user('seller');
    expect((await get(fresh, '/api/seller/summary')).json()).toEqual({
      counts: { created: 0, confirmed: 0, shipped: 0, delivered: 0, cancelled: 0 },
      revenue: [],
    });
    const refused = await get(buyer, '/api/seller/summary');
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
  });

  it('when the service is asked about itself, then it is ready and documents its routes', async () => {
    expect((await h.orders.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200);
    const spec = (await h.orders.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, unknown>;
    }>();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/orders',
        '/api/orders/{id}/status',
        '/api/seller/orders',
        '/api/seller/summary',
      ]),
    );
  });
});
