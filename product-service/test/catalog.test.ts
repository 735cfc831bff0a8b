import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SELLERS, type Category, type Problem, type Product } from '@marketplace/contracts';
import { createDb } from '@marketplace/db';
import { silentLogger } from '@marketplace/testing';
import { prepare } from '../src/app.ts';
import type { DB } from '../src/data/schema.ts';
import { DEMO_CATEGORIES, DEMO_PRODUCTS } from '../src/demo/catalog.ts';
import {
  categoryId,
  createProduct,
  listProducts,
  startTestService,
  walkAllPages,
  type TestService,
} from './helpers.ts';

const ids = (products: Product[]): string[] => products.map((p) => p.id);

describe('product-service: catalog browsing and search', () => {
  let service: TestService;
  const sellerId = randomUUID();
  let strong: Product;
  let weak: Product;
  let soldOut: Product;

  beforeAll(async () => {
    service = await startTestService('products_catalog');
    strong = await createProduct(
      service,
      sellerId,
      {
        title: 'Quokka Plush Toy',
        description: 'A soft quokka for quokka lovers: the happiest quokka of all.',
        categoryId: categoryId('home-kitchen'),
        priceMinor: 2400,
      },
      'Quokka Corner',
    );
    weak = await createProduct(service, sellerId, {
      title: 'Travel Pillow',
      description: 'Memory foam pillow printed with a small quokka.',
      categoryId: categoryId('home-kitchen'),
      priceMinor: 1900,
    });
    soldOut = await createProduct(service, sellerId, { title: 'Sold Out Lantern', stock: 0 });
  });

  afterAll(async () => {
    await service?.close();
  });

  const query = async (url: string) => service.app.inject({ method: 'GET', url });

  it('when a word is searched, then the products holding it are found, the best match first', async () => {
    const page = await listProducts(service, { q: 'quokka' });
    expect(ids(page.items)).toEqual([strong.id, weak.id]);
  });

  it('when the last word is typed halfway, then it matches as a prefix', async () => {
    const page = await listProducts(service, { q: 'quok' });
    expect(ids(page.items).sort()).toEqual([strong.id, weak.id].sort());
  });

  it('when several words are searched, then a product must hold all of them', async () => {
    const page = await listProducts(service, { q: 'plush quokka' });
    expect(ids(page.items)).toEqual([strong.id]);
  });

  it('when the search holds search-syntax characters, then they are taken as plain text', async () => {
    const page = await listProducts(service, { q: '+quokka* -("@<' });
    expect(ids(page.items).sort()).toEqual([strong.id, weak.id].sort());
  });

  it('when a common word is searched, then it is found too (no stopwords)', async () => {
    const page = await listProducts(service, { q: 'the happiest' });
    expect(ids(page.items)).toEqual([strong.id]);
  });

  it('when nothing matches, then the list is empty', async () => {
    expect(await listProducts(service, { q: 'xylophonic zeppelin' })).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('when filtering by a parent category, then products of its sub-categories are included', async () => {
    const items = await walkAllPages(service, { category: 'electronics', limit: 50 });
    const family = new Set(['electronics', 'audio', 'computers'].map(categoryId));
    const expected = DEMO_PRODUCTS.filter((p) => family.has(p.categoryId)).map((p) => p.id);
    expect(ids(items).sort()).toEqual(expected.sort());
    expect(items.some((p) => p.categoryId === categoryId('audio'))).toBe(true);
  });

  it('when filtering by a leaf category, then only its products are listed', async () => {
    const items = await walkAllPages(service, { category: 'audio' });
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((p) => p.categoryId === categoryId('audio'))).toBe(true);
  });

  it('when the category is unknown, then the list is empty', async () => {
    expect((await listProducts(service, { category: 'no-such-category' })).items).toEqual([]);
  });

  it('when filtering by a price range, then only prices within it (inclusive) are listed', async () => {
    const all = await walkAllPages(service, { limit: 100 });
    const expected = all.filter((p) => p.priceMinor >= 3999 && p.priceMinor <= 5999);
    const items = await walkAllPages(service, { minPrice: 3999, maxPrice: 5999 });
    expect(ids(items).sort()).toEqual(ids(expected).sort());
    expect(
      items.some((p) => p.priceMinor === 3999) && items.some((p) => p.priceMinor === 5999),
    ).toBe(true);
  });

  it('when filtering by seller, then only that seller’s products are listed', async () => {
    const items = await walkAllPages(service, { sellerId });
    expect(ids(items).sort()).toEqual([strong.id, weak.id, soldOut.id].sort());
  });

  it('when inStock is set, then sold-out products are left out', async () => {
    expect(ids(await walkAllPages(service, { sellerId, inStock: true }))).not.toContain(soldOut.id);
    expect(ids(await walkAllPages(service, { sellerId }))).toContain(soldOut.id);
  });

  it.each(['newest', 'price_asc', 'price_desc'] as const)(
    'when every page sorted by %s is walked, then each product appears once, in order',
    async (sort) => {
      const [reference] = [await listProducts(service, { sort, limit: 100 })];
      expect(reference.nextCursor).toBeNull();
      const walked = await walkAllPages(service, { sort, limit: 7 });
      expect(ids(walked)).toEqual(ids(reference.items));
      expect(new Set(ids(walked)).size).toBe(walked.length);
      expect(walked.length).toBe(DEMO_PRODUCTS.length + 3);
      const prices = walked.map((p) => p.priceMinor);
      if (sort === 'price_asc') expect(prices).toEqual([...prices].sort((a, b) => a - b));
      if (sort === 'price_desc') expect(prices).toEqual([...prices].sort((a, b) => b - a));
      if (sort === 'newest') {
        const times = walked.map((p) => Date.parse(p.createdAt));
        expect(times).toEqual([...times].sort((a, b) => b - a));
      }
    },
  );

  it('when every page of a search by relevance is walked, then each match appears once, best first', async () => {
    const reference = await listProducts(service, { q: 'with', limit: 100 });
    expect(reference.items.length).toBeGreaterThan(10);
    const walked = await walkAllPages(service, { q: 'with', limit: 4 });
    expect(ids(walked)).toEqual(ids(reference.items));
    expect(new Set(ids(walked)).size).toBe(walked.length);
  });

  it('when a product is inserted between pages, then the walk neither repeats nor skips', async () => {
    const first = await listProducts(service, { sort: 'price_asc', limit: 5 });
    const cheap = await createProduct(service, randomUUID(), { priceMinor: 1 });
    const rest = await walkAllPages(service, {
      sort: 'price_asc',
      limit: 5,
      cursor: first.nextCursor ?? '',
    });
    const seen = [...ids(first.items), ...ids(rest)];
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).not.toContain(cheap.id);
    expect(seen.length).toBe(DEMO_PRODUCTS.length + 3);
  });

  it('when the cursor is malformed or from another sort, then 400 names the cursor', async () => {
    const page = await listProducts(service, { sort: 'newest', limit: 2 });
    for (const url of [
      '/api/products?cursor=not-a-cursor',
      `/api/products?sort=price_asc&cursor=${page.nextCursor}`,
    ]) {
      const response = await query(url);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json<Problem>().code).toBe('invalid-cursor');
      expect(response.json<Problem>().errors?.map((e) => e.field)).toEqual(['querystring.cursor']);
    }
  });

  it('when the query is invalid, then 400 names each bad parameter', async () => {
    const response = await query('/api/products?limit=101&sort=cheapest&minPrice=-1&inStock=maybe');
    expect(response.statusCode).toBe(400);
    expect(response.json<Problem>().code).toBe('validation-error');
    const fields = response.json<Problem>().errors?.map((e) => e.field) ?? [];
    expect(fields).toEqual(
      expect.arrayContaining([
        'querystring.limit',
        'querystring.sort',
        'querystring.minPrice',
        'querystring.inStock',
      ]),
    );
  });

  it('when minPrice exceeds maxPrice, then 400 names maxPrice', async () => {
    const response = await query('/api/products?minPrice=500&maxPrice=100');
    expect(response.statusCode).toBe(400);
    expect(response.json<Problem>().code).toBe('invalid-price-range');
    expect(response.json<Problem>().errors?.[0]?.field).toBe('querystring.maxPrice');
  });

  it('when a product is fetched by id, then it has every field of the contract', async () => {
    const response = await query(`/api/products/${strong.id}`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      id: strong.id,
      sellerId,
      sellerName: 'Quokka Corner',
      categoryId: categoryId('home-kitchen'),
      title: 'Quokka Plush Toy',
      description: strong.description,
      priceMinor: 2400,
      currency: 'EUR',
      stock: 10,
      images: ['/demo/beacon-400-headlamp.svg'],
      attributes: {},
      status: 'active',
      version: 1,
      createdAt: strong.createdAt,
      updatedAt: strong.updatedAt,
    });
  });

  it('when an unknown or malformed id is fetched, then 404 or 400 problem', async () => {
    const unknown = await query(`/api/products/${randomUUID()}`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<Problem>().code).toBe('product-not-found');
    const malformed = await query('/api/products/not-an-id');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json<Problem>().code).toBe('validation-error');
    expect(malformed.json<Problem>().errors?.[0]?.field).toBe('params.id');
  });

  it('when the categories are asked for, then they come as a tree', async () => {
    const response = await query('/api/categories');
    expect(response.statusCode).toBe(200);
    const tree = response.json<Category[]>();
    expect(tree.map((c) => c.slug)).toEqual(['electronics', 'home-kitchen', 'books', 'outdoor']);
    const electronics = tree.find((c) => c.slug === 'electronics');
    expect(electronics?.children.map((c) => c.slug)).toEqual(['audio', 'computers']);
    const audio = electronics?.children[0];
    expect(audio).toEqual({
      id: categoryId('audio'),
      slug: 'audio',
      name: 'Audio',
      productCount: expect.any(Number) as number,
      children: [],
    });
    // A node counts its own active products and its sub-categories'.
    const audioListed = await walkAllPages(service, { category: 'audio', limit: 100 });
    expect(audio?.productCount).toBe(audioListed.length);
    const electronicsListed = await walkAllPages(service, { category: 'electronics', limit: 100 });
    expect(electronics?.productCount).toBe(electronicsListed.length);
    expect(electronics?.productCount).toBeGreaterThan(audioListed.length);
  });

  it('when the demo seed runs again, then nothing is duplicated and every image exists', async () => {
    await prepare(service.config, silentLogger);
    const all = await walkAllPages(service, { limit: 100 });
    expect(all.length).toBe(DEMO_PRODUCTS.length + 4);
    const tree = (await query('/api/categories')).json<Category[]>();
    expect(tree.flatMap((c) => [c, ...c.children]).length).toBe(DEMO_CATEGORIES.length);
    const publicDir = new URL('../../frontend/public/', import.meta.url);
    for (const product of DEMO_PRODUCTS) {
      expect(existsSync(fileURLToPath(new URL(`.${product.image}`, publicDir)))).toBe(true);
    }
  });

  it('when a database seeded with the SVG pictures is seeded again, then they move to WebP and a changed picture is kept', async () => {
    const [first, second] = DEMO_PRODUCTS;
    const db = createDb<DB>({
      url: service.config.MYSQL_URL,
      database: service.config.DB_NAME,
      poolSize: 1,
    });
    const row = (id: string) =>
      db
        .selectFrom('products')
        .select(['images', 'version'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
    try {
      await db
        .updateTable('products')
        .set({ images: JSON.stringify([`/demo/${first!.slug}.svg`]) })
        .where('id', '=', first!.id)
        .execute();
      const sellersOwn = JSON.stringify(['https://cdn.example.com/own.jpg']);
      await db
        .updateTable('products')
        .set({ images: sellersOwn })
        .where('id', '=', second!.id)
        .execute();
      const before = await row(first!.id);
      await prepare(service.config, silentLogger);
      const after = await row(first!.id);
      expect(JSON.parse(after.images)).toEqual([`/demo/${first!.slug}.webp`]);
      expect(after.version).toBe(before.version + 1);
      expect((await row(second!.id)).images).toBe(sellersOwn);
    } finally {
      await db.destroy();
    }
  });

  const demoSellerName = (sellerId: string) => DEMO_SELLERS.find((s) => s.id === sellerId)?.name;

  it('when the demo catalog is seeded, then every demo product carries its seller’s name', async () => {
    const listed = new Map((await walkAllPages(service, { limit: 100 })).map((p) => [p.id, p]));
    for (const product of DEMO_PRODUCTS) {
      expect(listed.get(product.id)?.sellerName).toBe(demoSellerName(product.sellerId));
    }
  });

  it('when a database seeded before seller names is seeded again, then empty names are filled and set ones kept', async () => {
    const [northwind, bluebird] = DEMO_SELLERS;
    const renamed = DEMO_PRODUCTS.find((p) => p.sellerId === bluebird.id);
    const db = createDb<DB>({
      url: service.config.MYSQL_URL,
      database: service.config.DB_NAME,
      poolSize: 1,
    });
    try {
      await db.updateTable('products').set({ seller_name: '' }).execute();
      await db
        .updateTable('products')
        .set({ seller_name: 'Bluebird Rare Books' })
        .where('id', '=', renamed?.id ?? '')
        .execute();
      await prepare(service.config, silentLogger);
      // Read from the database: the running service caches what it served, and a seed is
      // meant to run before it starts (a restart), not under it.
      const nameOf = async (id: string) =>
        (
          await db
            .selectFrom('products')
            .select('seller_name')
            .where('id', '=', id)
            .executeTakeFirstOrThrow()
        ).seller_name;
      const listed = await db
        .selectFrom('products')
        .select('seller_name')
        .where('seller_id', '=', northwind.id)
        .execute();
      expect(listed.length).toBeGreaterThan(0);
      expect(new Set(listed.map((p) => p.seller_name))).toEqual(new Set([northwind.name]));
      expect(await nameOf(renamed?.id ?? '')).toBe('Bluebird Rare Books');
      // A seller who is not a demo seller is not touched by the demo seed.
      expect(await nameOf(strong.id)).toBe('');
    } finally {
      await db.destroy();
    }
  });

  it('when health, readiness and the OpenAPI document are asked for, then they answer', async () => {
    expect((await query('/health')).statusCode).toBe(200);
    const ready = await query('/ready');
    expect(ready.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', broker: 'ok', search: 'ok' },
    });
    const openapi = await query('/openapi.json');
    expect(openapi.statusCode).toBe(200);
    const paths = Object.keys(openapi.json<{ paths: Record<string, unknown> }>().paths);
    expect(paths).toEqual(
      expect.arrayContaining(['/api/products', '/api/products/{id}', '/api/categories']),
    );
    const product = openapi.json<{
      paths: Record<string, { get?: { responses: Record<string, unknown> } }>;
    }>().paths['/api/products/{id}']?.get?.responses['200'];
    expect(JSON.stringify(product)).toContain('"sellerName"');
  });
});
