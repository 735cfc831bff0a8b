import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem, Product } from '@marketplace/contracts';
import { createProduct, internalHeaders, startTestService, type TestService } from './helpers.ts';

describe('product-service: stock under concurrency and its preconditions', () => {
  let service: TestService;
  const sellerId = randomUUID();

  beforeAll(async () => {
    service = await startTestService('products_stock_races');
  });

  afterAll(async () => {
    await service?.close();
  });

  const reserveOne = (productId: string) =>
    service.app.inject({
      method: 'POST',
      url: '/internal/stock/reservations',
      headers: internalHeaders,
      payload: {
        checkoutId: randomUUID(),
        orders: [{ orderId: randomUUID(), items: [{ productId, quantity: 1 }] }],
      },
    });
  const adjust = async (productId: string, delta: number, asUser = sellerId) =>
    service.app.inject({
      method: 'POST',
      url: `/api/products/${productId}/stock`,
      headers: { authorization: await service.tokens.bearer(asUser, 'seller') },
      payload: { delta },
    });
  const patch = async (
    productId: string,
    body: Record<string, unknown>,
    headers: Record<string, string> = {},
    asUser = sellerId,
  ) =>
    service.app.inject({
      method: 'PATCH',
      url: `/api/products/${productId}`,
      headers: { authorization: await service.tokens.bearer(asUser, 'seller'), ...headers },
      payload: body,
    });
  const read = async (productId: string): Promise<Product> =>
    (
      await service.app.inject({ method: 'GET', url: `/api/products/${productId}` })
    ).json<Product>();

  it('when 50 buyers reserve 1 each against stock 7, then exactly 7 succeed and stock ends at 0', async () => {
    const product = await createProduct(service, sellerId, { stock: 7 });
    const responses = await Promise.all(Array.from({ length: 50 }, () => reserveOne(product.id)));
    const codes = responses.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(7);
    expect(codes.filter((c) => c === 409)).toHaveLength(43);
    const refusals = responses.filter((r) => r.statusCode === 409);
    expect(new Set(refusals.map((r) => r.json<Problem>().code))).toEqual(
      new Set(['insufficient-stock']),
    );
    expect((await read(product.id)).stock).toBe(0);
  });

  it('when the seller adjusts stock while 30 reservations race, then the final stock is exact', async () => {
    // 40 covers the 30 units and the negative deltas in any order, so every call must succeed.
    const product = await createProduct(service, sellerId, { stock: 40 });
    const deltas = [5, -3, 10, 2, -1, 7];
    const [reservations, adjustments] = await Promise.all([
      Promise.all(Array.from({ length: 30 }, () => reserveOne(product.id))),
      Promise.all(deltas.map((delta) => adjust(product.id, delta))),
    ]);
    expect(reservations.map((r) => r.statusCode)).toEqual(Array(30).fill(200));
    expect(adjustments.map((r) => r.statusCode)).toEqual(Array(deltas.length).fill(200));
    const final = await read(product.id);
    expect(final.stock).toBe(40 + deltas.reduce((sum, d) => sum + d, 0) - 30);
    // Every change moved the version once: none was lost or merged.
    expect(final.version).toBe(product.version + 30 + deltas.length);
  });

  it('when a delta would take stock below 0, then 409 stock-out-of-range and nothing changes', async () => {
    const product = await createProduct(service, sellerId, { stock: 4 });
    const response = await adjust(product.id, -5);
    expect(response.statusCode).toBe(409);
    const problem = response.json<Problem>();
    expect(problem.code).toBe('stock-out-of-range');
    expect(problem.errors?.map((e) => e.field)).toEqual(['delta']);
    const after = await read(product.id);
    expect(after.stock).toBe(4);
    expect(after.version).toBe(product.version);
  });

  it('when a delta would take stock above 1,000,000, then 409 and nothing changes', async () => {
    const product = await createProduct(service, sellerId, { stock: 4 });
    const response = await adjust(product.id, 1_000_000 - 3);
    expect(response.statusCode).toBe(409);
    expect(response.json<Problem>().code).toBe('stock-out-of-range');
    expect((await read(product.id)).stock).toBe(4);
    // Exactly up to the limit is fine.
    const toTheTop = await adjust(product.id, 1_000_000 - 4);
    expect(toTheTop.statusCode).toBe(200);
    expect(toTheTop.json<Product>().stock).toBe(1_000_000);
  });

  it('when the delta is 0 or out of the schema range, then 400 names delta', async () => {
    const product = await createProduct(service, sellerId, { stock: 4 });
    for (const delta of [0, 1_000_001, -1_000_001]) {
      const response = await adjust(product.id, delta);
      expect(response.statusCode).toBe(400);
      expect(response.json<Problem>().code).toBe('validation-error');
      expect(response.json<Problem>().errors?.map((e) => e.field)).toContain('delta');
    }
    expect((await read(product.id)).stock).toBe(4);
  });

  it('when a delta applies, then 200 with the new stock, version and ETag', async () => {
    const product = await createProduct(service, sellerId, { stock: 4 });
    const response = await adjust(product.id, 3);
    expect(response.statusCode).toBe(200);
    const adjusted = response.json<Product>();
    expect(adjusted.stock).toBe(7);
    expect(adjusted.version).toBeGreaterThan(product.version);
    expect(response.headers.etag).toBe(`"${adjusted.version}"`);
  });

  it('when PATCH sets stock without If-Match, then 428 precondition-required and nothing changes', async () => {
    const product = await createProduct(service, sellerId, { stock: 4 });
    const response = await patch(product.id, { stock: 9 });
    expect(response.statusCode).toBe(428);
    expect(response.json<Problem>().code).toBe('precondition-required');
    expect((await read(product.id)).stock).toBe(4);
  });

  it('when PATCH sets stock with a stale If-Match, then 412 version-mismatch with the current ETag', async () => {
    const product = await createProduct(service, sellerId, { stock: 4 });
    expect((await reserveOne(product.id)).statusCode).toBe(200);
    const current = await read(product.id);
    expect(current.version).toBeGreaterThan(product.version);
    const response = await patch(product.id, { stock: 9 }, { 'if-match': `"${product.version}"` });
    expect(response.statusCode).toBe(412);
    expect(response.json<Problem>().code).toBe('version-mismatch');
    expect(response.headers.etag).toBe(`"${current.version}"`);
    expect((await read(product.id)).stock).toBe(3);
  });

  it('when PATCH sets stock with the current If-Match, then 200 and the new ETag', async () => {
    const product = await createProduct(service, sellerId, { stock: 4 });
    const response = await patch(product.id, { stock: 9 }, { 'if-match': `"${product.version}"` });
    expect(response.statusCode).toBe(200);
    const updated = response.json<Product>();
    expect(updated.stock).toBe(9);
    expect(updated.version).toBeGreaterThan(product.version);
    expect(response.headers.etag).toBe(`"${updated.version}"`);
    // The old version is stale now.
    const again = await patch(product.id, { stock: 1 }, { 'if-match': `"${product.version}"` });
    expect(again.statusCode).toBe(412);
    expect((await read(product.id)).stock).toBe(9);
  });

  it('when two PATCHes race with the same If-Match, then exactly one wins', async () => {
    const product = await createProduct(service, sellerId, { stock: 4 });
    const ifMatch = { 'if-match': `"${product.version}"` };
    const responses = await Promise.all(
      [11, 12, 13, 14, 15].map((stock) => patch(product.id, { stock }, ifMatch)),
    );
    const codes = responses.map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, 412, 412, 412, 412]);
    const winner = responses.find((r) => r.statusCode === 200)?.json<Product>();
    expect((await read(product.id)).stock).toBe(winner?.stock);
  });

  it('when someone else adjusts or patches the stock, then 403 and nothing changes', async () => {
    const product = await createProduct(service, sellerId, { stock: 4 });
    const stranger = randomUUID();
    const adjusted = await adjust(product.id, 1, stranger);
    expect(adjusted.statusCode).toBe(403);
    expect(adjusted.json<Problem>().code).toBe('not-product-owner');
    const patched = await patch(
      product.id,
      { stock: 9 },
      { 'if-match': `"${product.version}"` },
      stranger,
    );
    expect(patched.statusCode).toBe(403);
    expect((await read(product.id)).stock).toBe(4);
  });
});
