import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, waitFor } from '@marketplace/testing';
import type { CheckoutResult, Order, Problem, Product } from '@marketplace/contracts';
import { orderIdFor } from '../src/domain/checkout/order-ids.ts';
import { address, Harness, type User } from './harness.ts';

describe('checkout', () => {
  const h = new Harness();
  let buyer: User;
  let sellerA: User;
  let sellerB: User;

  beforeAll(async () => {
    await h.start();
    buyer = await h.user('buyer');
    sellerA = await h.user('seller');
    sellerB = await h.user('seller');
  });

  afterAll(() => h.stop());

  const checkout = (
    user: User,
    items: { productId: string; quantity: number }[],
    key: string | null = randomUUID(),
    extra: Record<string, string> = {},
  ) =>
    h.orders.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { authorization: user.auth, ...(key ? { 'idempotency-key': key } : {}), ...extra },
      payload: { items, shippingAddress: address },
    });

  it('when items of two sellers are bought, then one order per seller is made with snapshotted prices and stock taken', async () => {
    const a1 = await h.createProduct(sellerA, { priceMinor: 1250, stock: 10 });
    const a2 = await h.createProduct(sellerA, { priceMinor: 300, stock: 5 });
    const b1 = await h.createProduct(sellerB, { priceMinor: 9900, currency: 'USD', stock: 3 });
    const requestId = `checkout-${randomUUID()}`;

    const response = await checkout(
      buyer,
      [
        { productId: a1.id, quantity: 2 },
        { productId: b1.id, quantity: 1 },
        { productId: a2.id, quantity: 4 },
      ],
      randomUUID(),
      { 'x-request-id': requestId },
    );

    expect(response.statusCode).toBe(201);
    const body = response.json<CheckoutResult>();
    expect(body.orders).toHaveLength(2);
    const ofA = body.orders.find((o) => o.sellerId === sellerA.id);
    const ofB = body.orders.find((o) => o.sellerId === sellerB.id);
    expect(ofA).toMatchObject({
      checkoutId: body.checkoutId,
      buyerId: buyer.id,
      status: 'created',
      totalMinor: 2 * 1250 + 4 * 300,
      currency: 'EUR',
      shippingAddress: address,
      items: [
        { productId: a1.id, title: a1.title, priceMinor: 1250, quantity: 2 },
        { productId: a2.id, title: a2.title, priceMinor: 300, quantity: 4 },
      ],
    });
    expect(ofB).toMatchObject({ totalMinor: 9900, currency: 'USD', items: [{ productId: b1.id }] });
    expect([await h.stockOf(a1.id), await h.stockOf(a2.id), await h.stockOf(b1.id)]).toEqual([
      8, 1, 2,
    ]);

    // A later price change does not touch the order.
    await h.changeProduct(sellerA, a1.id, { priceMinor: 1 });
    const again = await h.orders.inject({
      method: 'GET',
      url: `/api/orders/${ofA?.id}`,
      headers: { authorization: buyer.auth },
    });
    expect(again.json<Order>().items[0]?.priceMinor).toBe(1250);

    const created = await h.event('order.created', ofB?.id ?? '');
    expect(created.correlationId).toBe(requestId);
    expect(created.data).toEqual({
      orderId: ofB?.id,
      checkoutId: body.checkoutId,
      buyerId: buyer.id,
      sellerId: sellerB.id,
      items: [{ productId: b1.id, title: b1.title, priceMinor: 9900, quantity: 1 }],
      totalMinor: 9900,
      currency: 'USD',
    });
    await h.event('order.created', ofA?.id ?? '');
  });

  it('when the shipping address carries a field the contract does not have, then it is dropped', async () => {
    const p = await h.createProduct(sellerA, { stock: 5 });
    const response = await h.orders.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { authorization: buyer.auth, 'idempotency-key': randomUUID() },
      payload: {
        items: [{ productId: p.id, quantity: 1 }],
        shippingAddress: { ...address, phone: '+49 30 123456' },
      },
    });

    expect(response.statusCode).toBe(201);
    const order = response.json<CheckoutResult>().orders[0];
    const stored = await h.orders.inject({
      method: 'GET',
      url: `/api/orders/${order?.id}`,
      headers: { authorization: buyer.auth },
    });
    expect(stored.json<Order>().shippingAddress).toEqual(address);
  });

  it('when the same key and body come again, then the same answer comes back and nothing new is made', async () => {
    const p = await h.createProduct(sellerA, { stock: 5 });
    const key = randomUUID();
    const first = await checkout(buyer, [{ productId: p.id, quantity: 2 }], key);
    const orders = await h.count('orders');
    const outbox = await h.count('outbox_events');

    const second = await checkout(buyer, [{ productId: p.id, quantity: 2 }], key);

    expect(second.statusCode).toBe(201);
    expect(second.body).toBe(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(await h.count('orders')).toBe(orders);
    expect(await h.count('outbox_events')).toBe(outbox);
    expect(await h.stockOf(p.id)).toBe(3);
  });

  it('when the same key comes with another body, then it is refused with 422', async () => {
    const p = await h.createProduct(sellerA, { stock: 5 });
    const key = randomUUID();
    await checkout(buyer, [{ productId: p.id, quantity: 1 }], key);

    const response = await checkout(buyer, [{ productId: p.id, quantity: 2 }], key);

    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<{ type: string }>().type).toMatch(/idempotency-key-reused$/);
    expect(response.json<Problem>().code).toBe('idempotency-key-reused');
    expect(await h.stockOf(p.id)).toBe(4);
  });

  it('when another user sends the same key, then it is their own checkout', async () => {
    const p = await h.createProduct(sellerA, { stock: 5 });
    const other = await h.user('buyer');
    const key = randomUUID();
    await checkout(buyer, [{ productId: p.id, quantity: 1 }], key);

    const response = await checkout(other, [{ productId: p.id, quantity: 1 }], key);

    expect(response.statusCode).toBe(201);
    expect(response.json<CheckoutResult>().orders[0]?.buyerId).toBe(other.id);
  });

  it.each([
    ['case', 'Order-Key-1', 'order-key-1'],
    ['accents', 'commande-é', 'commande-e'],
  ])(
    'when two keys differ only in %s, then they are two checkouts (keys compare byte for byte)',
    async (_, one, other) => {
      const p = await h.createProduct(sellerA, { stock: 5 });
      const prefix = randomUUID();
      const items = [{ productId: p.id, quantity: 1 }];

      const first = await checkout(buyer, items, `${prefix}-${one}`);
      const second = await checkout(buyer, items, `${prefix}-${other}`);

      expect(first.statusCode).toBe(201);
      expect(second.statusCode).toBe(201);
      expect(second.headers['idempotent-replayed']).toBeUndefined();
      expect(second.json<CheckoutResult>().checkoutId).not.toBe(
        first.json<CheckoutResult>().checkoutId,
      );
      expect(await h.stockOf(p.id)).toBe(3);
    },
  );

  it('when two identical requests race on one key, then only one checkout is made', async () => {
    const p = await h.createProduct(sellerA, { stock: 10 });
    const key = randomUUID();
    const items = [{ productId: p.id, quantity: 1 }];

    const answers = await Promise.all([checkout(buyer, items, key), checkout(buyer, items, key)]);

    const statuses = answers.map((a) => a.statusCode).sort();
    expect([
      [201, 201],
      [201, 409],
    ]).toContainEqual(statuses);
    const refused = answers.find((a) => a.statusCode === 409);
    if (refused) expect(refused.json<Problem>().code).toBe('idempotency-key-in-flight');
    expect(await h.stockOf(p.id)).toBe(9);
  });

  it('when a checkout died after reserving, then its retry takes the stale key over and reserves nothing twice', async () => {
    const p = await h.createProduct(sellerA, { stock: 5 });
    const key = randomUUID();
    const checkoutId = randomUUID();
    const body = { items: [{ productId: p.id, quantity: 2 }], shippingAddress: address };
    await h.inFlightKey(buyer.id, key, body, checkoutId, 120_000);
    await h.reserveDirectly(checkoutId, orderIdFor(checkoutId, sellerA.id), p.id, 2);

    const response = await checkout(buyer, body.items, key);

    expect(response.statusCode).toBe(201);
    const result = response.json<CheckoutResult>();
    expect(result.checkoutId).toBe(checkoutId);
    expect(result.orders[0]?.id).toBe(orderIdFor(checkoutId, sellerA.id));
    expect(await h.stockOf(p.id)).toBe(3);
  });

  it("when a retry takes a died checkout's key over and then fails, then the stock the died one held is given back", async () => {
    const p = await h.createProduct(sellerA, { stock: 5 });
    const key = randomUUID();
    const checkoutId = randomUUID();
    const orderId = orderIdFor(checkoutId, sellerA.id);
    const body = { items: [{ productId: p.id, quantity: 2 }], shippingAddress: address };
    await h.inFlightKey(buyer.id, key, body, checkoutId, 120_000, [orderId]);
    await h.reserveDirectly(checkoutId, orderId, p.id, 2);
    const cut = await h.orderApp(h.dbName, `http://127.0.0.1:${await freePort()}`, 60_000);

    const response = await cut.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { authorization: buyer.auth, 'idempotency-key': key },
      payload: body,
    });

    expect(response.statusCode).toBe(503);
    expect(response.json<Problem>().code).toBe('catalog-unavailable');
    // The release is owed, and done by the instance whose catalog is up.
    await waitFor(async () => ((await h.stockOf(p.id)) === 5 ? true : undefined));
    expect((await checkout(buyer, body.items, key)).json<CheckoutResult>().checkoutId).not.toBe(
      checkoutId,
    );
  });

  it('when a key is still in flight, then a second request gets 409', async () => {
    const p = await h.createProduct(sellerA, { stock: 5 });
    const key = randomUUID();
    const body = { items: [{ productId: p.id, quantity: 1 }], shippingAddress: address };
    await h.inFlightKey(buyer.id, key, body, randomUUID(), 0);

    const response = await checkout(buyer, body.items, key);

    expect(response.statusCode).toBe(409);
    expect(response.json<{ type: string }>().type).toMatch(/idempotency-key-in-flight$/);
    expect(response.json<Problem>().code).toBe('idempotency-key-in-flight');
    expect(response.headers['retry-after']).toBe('1');
    expect(await h.stockOf(p.id)).toBe(5);
  });

  it('when the Idempotency-Key header is missing, then 400 names it', async () => {
    const p = await h.createProduct(sellerA);
    const response = await checkout(buyer, [{ productId: p.id, quantity: 1 }], null);
    expect(response.statusCode).toBe(400);
    expect(response.json<Problem>().code).toBe('idempotency-key-required');
    expect(response.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe(
      'headers.idempotency-key',
    );
  });

  it('when the Idempotency-Key header is longer than 255 characters, then 400 names it', async () => {
    const p = await h.createProduct(sellerA, { stock: 5 });
    const response = await checkout(buyer, [{ productId: p.id, quantity: 1 }], 'k'.repeat(256));
    expect(response.statusCode).toBe(400);
    expect(response.json<Problem>().code).toBe('invalid-idempotency-key');
    expect(response.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe(
      'headers.idempotency-key',
    );
    expect(await h.stockOf(p.id)).toBe(5);
  });

  it('when the body is malformed, then 400 names each bad field', async () => {
    const response = await h.orders.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { authorization: buyer.auth, 'idempotency-key': randomUUID() },
      payload: {
        items: [{ productId: 'nope', quantity: 0 }],
        shippingAddress: { ...address, country: 'Germany' },
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json<Problem>().code).toBe('validation-error');
    const fields = response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['items.0.productId', 'items.0.quantity', 'shippingAddress.country']),
    );
  });

  it('when a product appears twice, then 400 names the repeated line', async () => {
    const p = await h.createProduct(sellerA);
    const response = await checkout(buyer, [
      { productId: p.id, quantity: 1 },
      { productId: p.id, quantity: 2 },
    ]);
    expect(response.statusCode).toBe(400);
    expect(response.json<Problem>().code).toBe('validation-error');
    expect(response.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe(
      'items.1.productId',
    );
  });

  it('when stock is short, then 409 names the line and no stock is taken at all', async () => {
    const plenty = await h.createProduct(sellerA, { stock: 10 });
    const scarce = await h.createProduct(sellerB, { stock: 1 });
    const key = randomUUID();
    const items = [
      { productId: plenty.id, quantity: 3 },
      { productId: scarce.id, quantity: 2 },
    ];

    const response = await checkout(buyer, items, key);

    expect(response.statusCode).toBe(409);
    const problem = response.json<{ type: string; errors: { field: string }[] }>();
    expect(problem.type).toMatch(/insufficient-stock$/);
    expect(response.json<Problem>().code).toBe('insufficient-stock');
    expect(problem.errors.map((e) => e.field)).toEqual(['items.1.quantity']);
    expect([await h.stockOf(plenty.id), await h.stockOf(scarce.id)]).toEqual([10, 1]);
    // Nothing was stored under the key: once stock is back, the same key works.
    await h.adjustStock(sellerB, scarce.id, 4);
    expect((await checkout(buyer, items, key)).statusCode).toBe(201);
  });

  it('when a product is unknown or archived, then 422 names its line', async () => {
    const archived = await h.createProduct(sellerA);
    await h.changeProduct(sellerA, archived.id, { status: 'archived' });
    const ok = await h.createProduct(sellerA, { stock: 4 });

    const response = await checkout(buyer, [
      { productId: ok.id, quantity: 1 },
      { productId: randomUUID(), quantity: 1 },
      { productId: archived.id, quantity: 1 },
    ]);

    expect(response.statusCode).toBe(422);
    expect(response.json<Problem>().code).toBe('product-unavailable');
    const fields = response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(fields).toEqual(['items.1.productId', 'items.2.productId']);
    expect(await h.stockOf(ok.id)).toBe(4);
  });

  it("when one seller's lines are priced in two currencies, then 422 mixed-currency names the odd line", async () => {
    const eur = await h.createProduct(sellerA, { currency: 'EUR', stock: 5 });
    const usd = await h.createProduct(sellerA, { currency: 'USD', stock: 5 });

    const response = await checkout(buyer, [
      { productId: eur.id, quantity: 1 },
      { productId: usd.id, quantity: 1 },
    ]);

    expect(response.statusCode).toBe(422);
    expect(response.json<Problem>().code).toBe('mixed-currency');
    const fields = response.json<{ errors: { field: string }[] }>().errors.map((e) => e.field);
    expect(fields).toEqual(['items.1.productId']);
    expect([await h.stockOf(eur.id), await h.stockOf(usd.id)]).toEqual([5, 5]);
  });

  it('when product-service is down, then 503 catalog-unavailable and nothing is written', async () => {
    const p: Product = await h.createProduct(sellerA, { stock: 4 });
    const deadUrl = `http://127.0.0.1:${await freePort()}`;
    const cut = await h.orderApp(h.dbName, deadUrl, 60_000);
    const before = await Promise.all([
      h.count('orders'),
      h.count('idempotency_keys'),
      h.count('outbox_events'),
    ]);
    const key = randomUUID();
    const items = [{ productId: p.id, quantity: 1 }];

    const response = await cut.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { authorization: buyer.auth, 'idempotency-key': key },
      payload: { items, shippingAddress: address },
    });

    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json<{ type: string }>().type).toMatch(/catalog-unavailable$/);
    expect(response.json<Problem>().code).toBe('catalog-unavailable');
    const after = await Promise.all([
      h.count('orders'),
      h.count('idempotency_keys'),
      h.count('outbox_events'),
    ]);
    expect(after).toEqual(before);
    // The key was let go: the retry goes through once the catalog is back.
    expect((await checkout(buyer, items, key)).statusCode).toBe(201);
  });
});
