import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, waitFor } from '@marketplace/testing';
import type { CheckoutResult, Product } from '@marketplace/contracts';
import { abandonedClaims, findKey } from '../src/data/idempotency.repository.ts';
import { CheckoutService } from '../src/domain/checkout/checkout.service.ts';
import { fingerprint } from '../src/domain/checkout/checkout-fingerprint.ts';
import { claimKey } from '../src/domain/checkout/checkout-key.ts';
import {
  giveBackAbandoned,
  IdempotencySweep,
} from '../src/domain/checkout/abandoned-checkout.sweep.ts';
import { orderIdFor } from '../src/domain/checkout/order-ids.ts';
import type { ProductCatalog } from '../src/domain/product-catalog.port.ts';
import { StockReleases } from '../src/domain/release.service.ts';
import { address, Harness, type User } from './harness.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('idempotency key sweep', () => {
  const h = new Harness();
  let buyer: User;
  let seller: User;

  beforeAll(async () => {
    await h.start();
    buyer = await h.user('buyer');
    seller = await h.user('seller');
  });

  afterAll(() => h.stop());

  /** A sweep with the default thresholds: 24 h for completed keys, 15 min for abandoned ones. */
  const sweeper = (batchSize?: number) =>
    new IdempotencySweep({
      db: h.db,
      logger: silentLogger,
      keyTtlMs: 24 * HOUR,
      abandonAfterMs: 15 * MINUTE,
      intervalMs: HOUR,
      ...(batchSize === undefined ? {} : { batchSize }),
    });

  const bodyFor = (p: Product, quantity: number) => ({
    items: [{ productId: p.id, quantity }],
    shippingAddress: address,
  });

  const checkout = (key: string, body: ReturnType<typeof bodyFor>) =>
    h.orders.inject({
      method: 'POST',
      url: '/api/orders',
      headers: { authorization: buyer.auth, 'idempotency-key': key },
      payload: body,
    });

  const keyOf = (key: string) => findKey(h.db, buyer.id, key);

  const checkoutIdOf = async (key: string) => {
    const row = await keyOf(key);
    if (!row) throw new Error(`no key ${key}`);
    return row.checkout_id;
  };

  const stockBecomes = (p: Product, stock: number) =>
    waitFor(async () => ((await h.stockOf(p.id)) === stock ? true : undefined), {
      what: `stock ${stock} of ${p.id}`,
    });

  const pendingRelease = (orderId: string) =>
    h.db
      .selectFrom('pending_releases')
      .select('order_id')
      .where('order_id', '=', orderId)
      .executeTakeFirst();

  /**
   * A checkout in a process that stalls at the reservation, just before or just after reaching
   * product-service, until `resume` is called; never resumed, it is a process that died there.
   */
  function stalledCheckout(key: string, body: ReturnType<typeof bodyFor>, at: 'before' | 'after') {
    const real = h.catalog();
    let resume = () => {};
    const gate = new Promise<void>((resolve) => (resume = resolve));
    let arrived = () => {};
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const catalog: ProductCatalog = {
      lookup: (ids, requestId) => real.lookup(ids, requestId),
      release: (orderId, requestId) => real.release(orderId, requestId),
      async reserve(request, requestId) {
        if (at === 'after') await real.reserve(request, requestId);
        arrived();
        await gate;
        if (at === 'before') await real.reserve(request, requestId);
      },
    };
    const releases = new StockReleases({
      db: h.db,
      catalog: real,
      logger: silentLogger,
      intervalMs: HOUR,
    });
    const service = new CheckoutService({
      db: h.db,
      catalog,
      releases,
      logger: silentLogger,
      eventsCommitted: () => undefined,
    });
    const outcome = service.checkout({
      buyer: { userId: buyer.id, role: 'buyer' },
      idempotencyKey: key,
      body,
      requestId: `stalled-${key}`,
    });
    return { outcome, reached, resume };
  }

  it('when completed keys are older than the TTL, then they are deleted in batches and fresh ones are kept', async () => {
    const p = await h.createProduct(seller, { stock: 10 });
    const [old1, old2, fresh] = [randomUUID(), randomUUID(), randomUUID()];
    for (const key of [old1, old2, fresh]) {
      expect((await checkout(key, bodyFor(p, 1))).statusCode).toBe(201);
    }
    await h.ageKey(buyer.id, old1, 25 * HOUR);
    await h.ageKey(buyer.id, old2, 24 * HOUR + MINUTE);
    await h.ageKey(buyer.id, fresh, 23 * HOUR);
    const orders = await h.count('orders');

    const result = await sweeper(1).sweep();

    expect(result).toMatchObject({ expired: 2, abandoned: 0 });
    expect([await keyOf(old1), await keyOf(old2)]).toEqual([null, null]);
    expect((await checkout(fresh, bodyFor(p, 1))).headers['idempotent-replayed']).toBe('true');
    // The orders stay, and so does the stock they took.
    expect(await h.count('orders')).toBe(orders);
    expect(await h.count('pending_releases')).toBe(0);
    expect(await h.stockOf(p.id)).toBe(7);
  });

  it('when a checkout died holding stock and its client never came back, then the sweep gives the stock back and the key starts afresh', async () => {
    const p = await h.createProduct(seller, { stock: 5 });
    const key = randomUUID();
    const died = stalledCheckout(key, bodyFor(p, 2), 'after');
    await died.reached;
    expect(await h.stockOf(p.id)).toBe(3);
    const checkoutId = await checkoutIdOf(key);
    await h.ageKey(buyer.id, key, 16 * MINUTE);

    const result = await sweeper().sweep();

    expect(result).toMatchObject({ abandoned: 1, releases: 1 });
    expect(await keyOf(key)).toBeNull();
    await stockBecomes(p, 5);
    const again = await checkout(key, bodyFor(p, 2));
    expect(again.statusCode).toBe(201);
    expect(again.json<CheckoutResult>().checkoutId).not.toBe(checkoutId);
    expect(await h.stockOf(p.id)).toBe(3);
  });

  it('when a key is recent or was just taken over, then the sweep leaves it and its stock alone', async () => {
    const p = await h.createProduct(seller, { stock: 10 });
    const recent = randomUUID();
    const recentCheckout = randomUUID();
    const recentOrder = orderIdFor(recentCheckout, seller.id);
    await h.inFlightKey(buyer.id, recent, bodyFor(p, 1), recentCheckout, 14 * MINUTE, [
      recentOrder,
    ]);
    await h.reserveDirectly(recentCheckout, recentOrder, p.id, 1);
    // Abandoned for 20 minutes, then a retry took it over and is still at work.
    const retried = randomUUID();
    const died = stalledCheckout(retried, bodyFor(p, 2), 'after');
    await died.reached;
    await h.ageKey(buyer.id, retried, 20 * MINUTE);
    const retry = stalledCheckout(retried, bodyFor(p, 2), 'before');
    await retry.reached;

    const result = await sweeper().sweep();

    expect(result.abandoned).toBe(0);
    expect(await keyOf(recent)).toMatchObject({ status: 'in_flight' });
    expect(await keyOf(retried)).toMatchObject({ status: 'in_flight' });
    expect(await h.stockOf(p.id)).toBe(10 - 1 - 2);
    // The retry goes on with the orders its key already holds, and reserves nothing twice.
    retry.resume();
    expect((await retry.outcome).body.orders).toHaveLength(1);
    expect(await h.stockOf(p.id)).toBe(7);
  });

  it('when a request takes a key over between the sweep finding it and dropping it, then the request wins', async () => {
    const p = await h.createProduct(seller, { stock: 10 });
    const key = randomUUID();
    const checkoutId = randomUUID();
    const orderId = orderIdFor(checkoutId, seller.id);
    await h.inFlightKey(buyer.id, key, bodyFor(p, 1), checkoutId, 20 * MINUTE, [orderId]);
    await h.reserveDirectly(checkoutId, orderId, p.id, 1);
    const now = new Date();
    const cutoff = new Date(now.getTime() - 15 * MINUTE);
    const seen = (await abandonedClaims(h.db, cutoff, 500)).find((c) => c.key === key);
    if (!seen) throw new Error('the sweep would not find the key');

    const claim = await claimKey(
      h.db,
      { userId: buyer.id, key, fingerprint: fingerprint(bodyFor(p, 1)) },
      MINUTE,
    );
    const result = await giveBackAbandoned(h.db, seen, cutoff, now);

    expect(claim).toMatchObject({ kind: 'owned', checkoutId, heldOrderIds: [orderId] });
    expect(result).toEqual({ outcome: 'moved-on' });
    expect(await keyOf(key)).toMatchObject({ status: 'in_flight', checkout_id: checkoutId });
    expect(await pendingRelease(orderId)).toBeUndefined();
    expect(await h.stockOf(p.id)).toBe(9);
  });

  it('when several instances sweep at once, then each abandoned key is given back once', async () => {
    const p = await h.createProduct(seller, { stock: 10 });
    for (let i = 0; i < 3; i++) {
      const checkoutId = randomUUID();
      const orderId = orderIdFor(checkoutId, seller.id);
      await h.inFlightKey(buyer.id, randomUUID(), bodyFor(p, 1), checkoutId, 30 * MINUTE, [
        orderId,
      ]);
      await h.reserveDirectly(checkoutId, orderId, p.id, 1);
    }

    const results = await Promise.all([sweeper(2).sweep(), sweeper(2).sweep(), sweeper().sweep()]);

    expect(results.reduce((n, r) => n + r.abandoned, 0)).toBe(3);
    expect(results.reduce((n, r) => n + r.releases, 0)).toBe(3);
    await stockBecomes(p, 10);
  });

  it('when the sweep dropped the key of a checkout that was only stalled, then its late reservation is given back', async () => {
    const p = await h.createProduct(seller, { stock: 5 });
    const key = randomUUID();
    const stalled = stalledCheckout(key, bodyFor(p, 2), 'before');
    await stalled.reached;
    const checkoutId = await checkoutIdOf(key);
    const orderId = orderIdFor(checkoutId, seller.id);
    await h.ageKey(buyer.id, key, 16 * MINUTE);
    expect(await sweeper().sweep()).toMatchObject({ abandoned: 1, releases: 1 });
    // Released before it was reserved: product-service had nothing to give back yet.
    await waitFor(async () => ((await pendingRelease(orderId)) ? undefined : true));

    stalled.resume();

    await expect(stalled.outcome).rejects.toMatchObject({ code: 'idempotency-key-in-flight' });
    await stockBecomes(p, 5);
    const committed = await h.db
      .selectFrom('orders')
      .select('id')
      .where('checkout_id', '=', checkoutId)
      .execute();
    expect(committed).toEqual([]);
  });

  it('when a checkout has committed orders, then the sweep never releases them', async () => {
    const p = await h.createProduct(seller, { stock: 5 });
    const key = randomUUID();
    const placed = await checkout(key, bodyFor(p, 1));
    const orderId = placed.json<CheckoutResult>().orders[0]?.id ?? '';
    await h.ageKey(buyer.id, key, 20 * MINUTE);
    expect((await sweeper().sweep()).abandoned).toBe(0);
    expect(await keyOf(key)).toMatchObject({ status: 'completed' });
    // A state the checkout never leaves (orders commit with the key's completion), forced here.
    await h.db
      .updateTable('idempotency_keys')
      .set({ status: 'in_flight' })
      .where('idem_key', '=', key)
      .execute();

    const result = await sweeper().sweep();

    expect(result.abandoned).toBe(0);
    expect(await keyOf(key)).not.toBeNull();
    expect(await pendingRelease(orderId)).toBeUndefined();
    expect(await h.stockOf(p.id)).toBe(4);
    await h.db.deleteFrom('idempotency_keys').where('idem_key', '=', key).execute();
  });
});
