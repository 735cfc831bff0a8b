import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Product, ProductPage } from '@marketplace/contracts';
import type { ServiceApp } from '@marketplace/service-kit';
import { buildApp } from '../src/app.ts';
import { createProduct, startTestService, untilReady, type TestService } from './helpers.ts';

/** How long a write on one replica may take to show on another (the brief's promise). */
const PROPAGATION_MS = 1_000;

/** Polls `probe` until it returns true or PROPAGATION_MS pass; returns the time it took. */
async function within(probe: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await probe()) return Date.now() - started;
    if (Date.now() - started > PROPAGATION_MS) {
      throw new Error(`not seen on the other replica within ${PROPAGATION_MS} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('product-service: two replicas on one database and exchange', () => {
  let a: TestService;
  let b: ServiceApp;
  const sellerId = randomUUID();
  // A word no demo product holds, so a search for it sees only this suite's products.
  const word = `replica${randomUUID().slice(0, 6).replace(/-/g, '')}`;

  beforeAll(async () => {
    a = await startTestService('products_replicas');
    // The same config: each replica declares an index queue of its own from it.
    ({ app: b } = await buildApp(a.config, { verifier: a.tokens.verifier, logger: false }));
    await untilReady(b);
  });

  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  const list = async (app: ServiceApp, query: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'GET', url: `/api/products?${query}`, headers });
  const searchB = async (q: string): Promise<Product[]> =>
    (await list(b, `q=${encodeURIComponent(q)}&limit=100`)).json<ProductPage>().items;
  const asSeller = async () => ({ authorization: await a.tokens.bearer(sellerId, 'seller') });

  it('when a product is created on A, then B finds it by search within a second', async () => {
    expect(await searchB(word)).toEqual([]);
    const product = await createProduct(a, sellerId, { title: `Lantern ${word}` });
    await within(async () => (await searchB(word)).some((p) => p.id === product.id));
  });

  it('when a product is patched on A, then B’s search and B’s cached listing change within a second', async () => {
    const fresh = `patched${randomUUID().slice(0, 6).replace(/-/g, '')}`;
    const product = await createProduct(a, sellerId, { title: `Lamp ${word}` });
    await within(async () => (await searchB(word)).some((p) => p.id === product.id));
    const listingUrl = `sellerId=${sellerId}&limit=100`;
    const cached = await list(b, listingUrl);
    const etag = String(cached.headers.etag);
    expect((await list(b, listingUrl, { 'if-none-match': etag })).statusCode).toBe(304);

    const patched = await a.app.inject({
      method: 'PATCH',
      url: `/api/products/${product.id}`,
      headers: await asSeller(),
      payload: { title: `Lamp ${fresh}`, priceMinor: 4321 },
    });
    expect(patched.statusCode).toBe(200);

    await within(async () => (await searchB(fresh)).some((p) => p.id === product.id));
    await within(async () => {
      const response = await list(b, listingUrl, { 'if-none-match': etag });
      if (response.statusCode !== 200) return false;
      const item = response.json<ProductPage>().items.find((p) => p.id === product.id);
      return item?.priceMinor === 4321 && response.headers.etag !== etag;
    });
  });

  it('when a product is archived on A, then B’s search and listing drop it within a second', async () => {
    const product = await createProduct(a, sellerId, { title: `Stove ${word}` });
    await within(async () => (await searchB(word)).some((p) => p.id === product.id));
    const listingUrl = `sellerId=${sellerId}&limit=100`;
    const etag = String((await list(b, listingUrl)).headers.etag);
    const archived = await a.app.inject({
      method: 'DELETE',
      url: `/api/products/${product.id}`,
      headers: await asSeller(),
    });
    expect(archived.statusCode).toBe(204);
    await within(async () => !(await searchB(word)).some((p) => p.id === product.id));
    await within(async () => {
      const response = await list(b, listingUrl, { 'if-none-match': etag });
      return (
        response.statusCode === 200 &&
        !response.json<ProductPage>().items.some((p) => p.id === product.id)
      );
    });
    // B's facet counts (its own index) follow too.
    await within(async () => {
      const response = await list(b, `q=${word}&facets=true&limit=100`);
      const page = response.json<ProductPage>();
      const counted = (page.facets?.categories ?? []).reduce((sum, c) => sum + c.count, 0);
      return counted === page.items.length;
    });
  });

  it('when stock is adjusted on A, then B’s inStock search and B’s product read change within a second', async () => {
    const product = await createProduct(a, sellerId, { title: `Kettle ${word}`, stock: 0 });
    const inStockOnB = async () =>
      (await list(b, `q=${word}&inStock=true&limit=100`))
        .json<ProductPage>()
        .items.some((p) => p.id === product.id);
    await within(async () => (await searchB(word)).some((p) => p.id === product.id));
    expect(await inStockOnB()).toBe(false);
    const productEtag = String(
      (await b.inject({ method: 'GET', url: `/api/products/${product.id}` })).headers.etag,
    );

    const adjusted = await a.app.inject({
      method: 'POST',
      url: `/api/products/${product.id}/stock`,
      headers: await asSeller(),
      payload: { delta: 5 },
    });
    expect(adjusted.statusCode).toBe(200);

    await within(inStockOnB);
    await within(async () => {
      const response = await b.inject({
        method: 'GET',
        url: `/api/products/${product.id}`,
        headers: { 'if-none-match': productEtag },
      });
      return response.statusCode === 200 && response.json<Product>().stock === 5;
    });
  });
});
