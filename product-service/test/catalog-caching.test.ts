import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Product, ProductPage } from '@marketplace/contracts';
import { createProduct, internalHeaders, startTestService, type TestService } from './helpers.ts';

describe('product-service: ETags, 304s and Cache-Control on public reads', () => {
  let service: TestService;
  const sellerId = randomUUID();
  let product: Product;

  beforeAll(async () => {
    service = await startTestService('products_caching');
    product = await createProduct(service, sellerId, { title: 'Cached Lantern' }, 'Cache Shop');
  });

  afterAll(async () => {
    await service?.close();
  });

  const get = (url: string, headers: Record<string, string> = {}) =>
    service.app.inject({ method: 'GET', url, headers });
  const asSeller = async () => ({
    authorization: await service.tokens.bearer(sellerId, 'seller'),
  });

  /** A 200 with a validator, then the same validator gives a bodiless 304 with the same headers. */
  async function expectRevalidates(url: string, cacheControl: string): Promise<string> {
    const first = await get(url);
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe(cacheControl);
    const etag = first.headers.etag;
    expect(typeof etag).toBe('string');
    const revalidated = await get(url, { 'if-none-match': String(etag) });
    expect(revalidated.statusCode).toBe(304);
    expect(revalidated.body).toBe('');
    expect(revalidated.headers.etag).toBe(etag);
    expect(revalidated.headers['cache-control']).toBe(cacheControl);
    expect(revalidated.headers['content-type']).toBeUndefined();
    return String(etag);
  }

  it('when the listing, a product, the categories or a seller page is read, then ETag, Cache-Control and 304', async () => {
    await expectRevalidates('/api/products?limit=5', 'public, no-cache');
    await expectRevalidates('/api/products?q=lantern&facets=true', 'public, no-cache');
    const productEtag = await expectRevalidates(`/api/products/${product.id}`, 'public, no-cache');
    expect(productEtag).toBe(`"${product.version}"`);
    await expectRevalidates('/api/categories', 'public, max-age=60, stale-while-revalidate=300');
    await expectRevalidates(`/api/sellers/${sellerId}`, 'public, no-cache');
  });

  it('when If-None-Match names another or a malformed tag, then a full 200', async () => {
    for (const header of ['"nope"', 'W/"nope"', 'garbage', '']) {
      const response = await get(`/api/products/${product.id}`, { 'if-none-match': header });
      expect(response.statusCode).toBe(200);
      expect(response.json<Product>().id).toBe(product.id);
    }
    const listed = await get('/api/products?limit=5');
    const listEtag = String(listed.headers.etag);
    const inList = await get('/api/products?limit=5', { 'if-none-match': `"x", ${listEtag}` });
    expect(inList.statusCode).toBe(304);
  });

  type Write = (target: Product) => Promise<void>;
  const writes: [string, Write][] = [
    [
      'a patch',
      async (target) => {
        const response = await service.app.inject({
          method: 'PATCH',
          url: `/api/products/${target.id}`,
          headers: await asSeller(),
          payload: { title: `Renamed ${randomUUID().slice(0, 8)}` },
        });
        expect(response.statusCode).toBe(200);
      },
    ],
    [
      'a stock delta',
      async (target) => {
        const response = await service.app.inject({
          method: 'POST',
          url: `/api/products/${target.id}/stock`,
          headers: await asSeller(),
          payload: { delta: 3 },
        });
        expect(response.statusCode).toBe(200);
      },
    ],
    [
      'a reservation',
      async (target) => {
        const response = await service.app.inject({
          method: 'POST',
          url: '/internal/stock/reservations',
          headers: internalHeaders,
          payload: {
            checkoutId: randomUUID(),
            orders: [{ orderId: randomUUID(), items: [{ productId: target.id, quantity: 1 }] }],
          },
        });
        expect(response.statusCode).toBe(200);
      },
    ],
  ];

  it.each(writes)(
    'when %s lands, then the listing’s and the product’s ETags change and a stale one gets 200 with the new content',
    async (_name, write) => {
      const target = await createProduct(service, sellerId, { title: 'Revalidated Lantern' });
      const listUrl = `/api/products?sellerId=${sellerId}&limit=100`;
      const productUrl = `/api/products/${target.id}`;
      const listEtag = await expectRevalidates(listUrl, 'public, no-cache');
      const productEtag = await expectRevalidates(productUrl, 'public, no-cache');

      await write(target);
      const current = (await get(`/api/products/${target.id}`)).json<Product>();
      expect(current.version).toBeGreaterThan(target.version);

      const list = await get(listUrl, { 'if-none-match': listEtag });
      expect(list.statusCode).toBe(200);
      expect(list.headers.etag).not.toBe(listEtag);
      const listed = list.json<ProductPage>().items.find((p) => p.id === target.id);
      expect(listed).toEqual(current);

      const one = await get(productUrl, { 'if-none-match': productEtag });
      expect(one.statusCode).toBe(200);
      expect(one.headers.etag).toBe(`"${current.version}"`);
      expect(one.json<Product>()).toEqual(current);
    },
  );

  it('when a new product is listed, then the listing and the seller page change at once', async () => {
    const listUrl = `/api/products?sellerId=${sellerId}&limit=100`;
    const sellerUrl = `/api/sellers/${sellerId}`;
    const listEtag = await expectRevalidates(listUrl, 'public, no-cache');
    const sellerEtag = await expectRevalidates(sellerUrl, 'public, no-cache');
    const before = (await get(sellerUrl)).json<{ productCount: number }>().productCount;
    const fresh = await createProduct(service, sellerId);
    const list = await get(listUrl, { 'if-none-match': listEtag });
    expect(list.statusCode).toBe(200);
    expect(list.json<ProductPage>().items.map((p) => p.id)).toContain(fresh.id);
    const seller = await get(sellerUrl, { 'if-none-match': sellerEtag });
    expect(seller.statusCode).toBe(200);
    expect(seller.json<{ productCount: number }>().productCount).toBe(before + 1);
  });

  it('when a product is archived, then the listing drops it, the public gets a no-store 404 and its seller a private read without ETag', async () => {
    const target = await createProduct(service, sellerId, { title: 'Archived Lantern' });
    const listUrl = `/api/products?sellerId=${sellerId}&limit=100`;
    const listEtag = await expectRevalidates(listUrl, 'public, no-cache');
    const productEtag = await expectRevalidates(`/api/products/${target.id}`, 'public, no-cache');
    const archived = await service.app.inject({
      method: 'DELETE',
      url: `/api/products/${target.id}`,
      headers: await asSeller(),
    });
    expect(archived.statusCode).toBe(204);

    const list = await get(listUrl, { 'if-none-match': listEtag });
    expect(list.statusCode).toBe(200);
    expect(list.json<ProductPage>().items.map((p) => p.id)).not.toContain(target.id);

    const publicRead = await get(`/api/products/${target.id}`, { 'if-none-match': productEtag });
    expect(publicRead.statusCode).toBe(404);
    expect(publicRead.headers['cache-control']).toBe('no-store');
    expect(publicRead.headers.etag).toBeUndefined();

    const own = await get(`/api/products/${target.id}`, await asSeller());
    expect(own.statusCode).toBe(200);
    expect(own.json<Product>().status).toBe('archived');
    expect(own.headers['cache-control']).toBe('private, no-store');
    expect(own.headers.etag).toBeUndefined();
    // Whatever validator is sent, a personal answer is never a 304.
    const ownAgain = await get(`/api/products/${target.id}`, {
      ...(await asSeller()),
      'if-none-match': '*',
    });
    expect(ownAgain.statusCode).toBe(200);
  });

  it('when a read fails, then no-store and no ETag', async () => {
    const failures = [
      await get(`/api/products/${randomUUID()}`),
      await get('/api/products/not-an-id'),
      await get('/api/products?limit=1000'),
      await get('/api/products?cursor=broken'),
      await get(`/api/sellers/${randomUUID()}`),
    ];
    expect(failures.map((r) => r.statusCode)).toEqual([404, 400, 400, 400, 404]);
    for (const response of failures) {
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers.etag).toBeUndefined();
    }
  });
});
