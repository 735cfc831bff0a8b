import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem, Product } from '@marketplace/contracts';
import { createProduct, internalHeaders, startTestService, type TestService } from './helpers.ts';

interface Line {
  productId: string;
  quantity: number;
}

describe('product-service: internal lookup and stock reservations', () => {
  let service: TestService;
  const sellerId = randomUUID();

  beforeAll(async () => {
    service = await startTestService('products_stock');
  });

  afterAll(async () => {
    await service?.close();
  });

  const reserve = (
    orders: { orderId: string; items: Line[] }[],
    headers: Record<string, string> = internalHeaders,
  ) =>
    service.app.inject({
      method: 'POST',
      url: '/internal/stock/reservations',
      headers,
      payload: { checkoutId: randomUUID(), orders },
    });
  const release = (orderId: string) =>
    service.app.inject({
      method: 'POST',
      url: `/internal/stock/reservations/${orderId}/release`,
      headers: internalHeaders,
    });
  const stockOf = async (product: Product): Promise<number> =>
    (
      await service.app.inject({ method: 'GET', url: `/api/products/${product.id}` })
    ).json<Product>().stock;

  it('when products are looked up, then known ones come back with price and stock', async () => {
    const product = await createProduct(service, sellerId, { priceMinor: 1234, stock: 7 });
    const response = await service.app.inject({
      method: 'POST',
      url: '/internal/products/lookup',
      headers: internalHeaders,
      payload: { ids: [product.id, randomUUID(), product.id] },
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      items: [
        {
          id: product.id,
          sellerId,
          title: product.title,
          priceMinor: 1234,
          currency: 'EUR',
          stock: 7,
          status: 'active',
        },
      ],
    });
  });

  it('when the internal token is missing or wrong, then 401 and nothing happens', async () => {
    const product = await createProduct(service, sellerId, { stock: 5 });
    const items = [{ productId: product.id, quantity: 1 }];
    const attempts: Record<string, string>[] = [{}, { 'x-internal-token': 'wrong-token' }];
    for (const headers of attempts) {
      const response = await reserve([{ orderId: randomUUID(), items }], headers);
      expect(response.statusCode).toBe(401);
      expect(response.json<Problem>().code).toBe('invalid-internal-token');
      const lookup = await service.app.inject({
        method: 'POST',
        url: '/internal/products/lookup',
        headers,
        payload: { ids: [product.id] },
      });
      expect(lookup.statusCode).toBe(401);
      expect(lookup.json<Problem>().code).toBe('invalid-internal-token');
    }
    const releaseWithoutToken = await service.app.inject({
      method: 'POST',
      url: `/internal/stock/reservations/${randomUUID()}/release`,
    });
    expect(releaseWithoutToken.statusCode).toBe(401);
    expect(releaseWithoutToken.json<Problem>().code).toBe('invalid-internal-token');
    expect(await stockOf(product)).toBe(5);
  });

  it('when stock is reserved, then it is decremented, per order of the checkout', async () => {
    const a = await createProduct(service, sellerId, { stock: 10 });
    const b = await createProduct(service, randomUUID(), { stock: 10 });
    const response = await reserve([
      {
        orderId: randomUUID(),
        items: [
          { productId: a.id, quantity: 3 },
          { productId: a.id, quantity: 1 },
        ],
      },
      { orderId: randomUUID(), items: [{ productId: b.id, quantity: 2 }] },
    ]);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ reserved: true });
    expect([await stockOf(a), await stockOf(b)]).toEqual([6, 8]);
  });

  it('when one line is short, then 409 names it and no stock moves', async () => {
    const plenty = await createProduct(service, sellerId, { stock: 10 });
    const scarce = await createProduct(service, sellerId, { stock: 2 });
    const orderId = randomUUID();
    const response = await reserve([
      {
        orderId,
        items: [
          { productId: plenty.id, quantity: 5 },
          { productId: scarce.id, quantity: 3 },
        ],
      },
    ]);
    expect(response.statusCode).toBe(409);
    const problem = response.json<Problem>();
    expect(problem.type).toMatch(/insufficient-stock$/);
    expect(problem.code).toBe('insufficient-stock');
    expect(problem.errors).toEqual([
      { field: `items.${scarce.id}`, message: 'only 2 left, 3 requested' },
    ]);
    expect([await stockOf(plenty), await stockOf(scarce)]).toEqual([10, 2]);
    expect((await release(orderId)).json()).toEqual({ released: false });
  });

  it('when a product is archived or unknown, then 409 product-unavailable names it', async () => {
    const archived = await createProduct(service, sellerId, { stock: 5 });
    const fine = await createProduct(service, sellerId, { stock: 5 });
    await service.app.inject({
      method: 'DELETE',
      url: `/api/products/${archived.id}`,
      headers: { authorization: await service.tokens.bearer(sellerId, 'seller') },
    });
    const unknown = randomUUID();
    const response = await reserve([
      {
        orderId: randomUUID(),
        items: [
          { productId: archived.id, quantity: 1 },
          { productId: unknown, quantity: 1 },
          { productId: fine.id, quantity: 1 },
        ],
      },
    ]);
    expect(response.statusCode).toBe(409);
    const problem = response.json<Problem>();
    expect(problem.type).toMatch(/product-unavailable$/);
    expect(problem.code).toBe('product-unavailable');
    expect(problem.errors?.map((e) => e.field).sort()).toEqual(
      [`items.${archived.id}`, `items.${unknown}`].sort(),
    );
    expect(await stockOf(fine)).toBe(5);
  });

  it('when the same order is reserved again, then stock is taken only once', async () => {
    const product = await createProduct(service, sellerId, { stock: 10 });
    const order = { orderId: randomUUID(), items: [{ productId: product.id, quantity: 4 }] };
    expect((await reserve([order])).statusCode).toBe(200);
    expect((await reserve([order])).statusCode).toBe(200);
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => reserve([order])));
    expect(concurrent.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    expect(await stockOf(product)).toBe(6);
  });

  it('when 20 buyers race for the last 5 units, then exactly 5 get one and stock ends at 0', async () => {
    const product = await createProduct(service, sellerId, { stock: 5 });
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        reserve([{ orderId: randomUUID(), items: [{ productId: product.id, quantity: 1 }] }]),
      ),
    );
    const codes = responses.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 200)).toHaveLength(5);
    expect(codes.filter((c) => c === 409)).toHaveLength(15);
    const refusals = responses.filter((r) => r.statusCode === 409);
    expect(new Set(refusals.map((r) => r.json<Problem>().code))).toEqual(
      new Set(['insufficient-stock']),
    );
    expect(await stockOf(product)).toBe(0);
  });

  it('when checkouts lock the same products in any order, then none deadlocks or oversells', async () => {
    const a = await createProduct(service, sellerId, { stock: 30 });
    const b = await createProduct(service, sellerId, { stock: 30 });
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const lines = [
          { productId: a.id, quantity: 2 },
          { productId: b.id, quantity: 2 },
        ];
        return reserve([{ orderId: randomUUID(), items: i % 2 ? lines : lines.reverse() }]);
      }),
    );
    const reserved = responses.filter((r) => r.statusCode === 200).length;
    expect(responses.every((r) => r.statusCode === 200 || r.statusCode === 409)).toBe(true);
    expect(reserved).toBe(15);
    expect([await stockOf(a), await stockOf(b)]).toEqual([0, 0]);
  });

  it('when a reservation is released, then stock comes back exactly once', async () => {
    const product = await createProduct(service, sellerId, { stock: 10 });
    const orderId = randomUUID();
    await reserve([{ orderId, items: [{ productId: product.id, quantity: 4 }] }]);
    expect(await stockOf(product)).toBe(6);
    expect((await release(orderId)).json()).toEqual({ released: true });
    expect(await stockOf(product)).toBe(10);
    expect((await release(orderId)).json()).toEqual({ released: false });
    expect(await stockOf(product)).toBe(10);
    const again = await reserve([{ orderId, items: [{ productId: product.id, quantity: 4 }] }]);
    expect(again.statusCode).toBe(200);
    expect(await stockOf(product)).toBe(10);
  });

  it('when an unknown order is released, then nothing changes and a late reserve of it takes nothing', async () => {
    const product = await createProduct(service, sellerId, { stock: 10 });
    const orderId = randomUUID();
    const response = await release(orderId);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ released: false });
    expect(await stockOf(product)).toBe(10);
    // the reserve call that the release overtook arrives after all
    const late = await reserve([{ orderId, items: [{ productId: product.id, quantity: 4 }] }]);
    expect(late.statusCode).toBe(200);
    expect(await stockOf(product)).toBe(10);
  });

  it('when a reservation request is malformed, then 400 names the fields', async () => {
    const response = await reserve([
      { orderId: 'bad id!', items: [{ productId: 'nope', quantity: 0 }] },
    ]);
    expect(response.statusCode).toBe(400);
    expect(response.json<Problem>().code).toBe('validation-error');
    expect(response.json<Problem>().errors?.map((e) => e.field)).toEqual(
      expect.arrayContaining([
        'orders.0.orderId',
        'orders.0.items.0.productId',
        'orders.0.items.0.quantity',
      ]),
    );
    const duplicate = randomUUID();
    const twice = await reserve([
      { orderId: duplicate, items: [{ productId: randomUUID(), quantity: 1 }] },
      { orderId: duplicate, items: [{ productId: randomUUID(), quantity: 1 }] },
    ]);
    expect(twice.statusCode).toBe(400);
    expect(twice.json<Problem>().code).toBe('duplicate-order');
    expect(twice.json<Problem>().errors?.[0]?.field).toBe('orders');
  });
});
