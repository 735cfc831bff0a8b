import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem, Product, ProductPage, Role } from '@marketplace/contracts';
import { createProduct, startTestService, type TestService } from './helpers.ts';

describe('product-service: a seller’s own products (GET /api/seller/products)', () => {
  let service: TestService;
  const seller = randomUUID();
  const otherSeller = randomUUID();
  const admin = randomUUID();
  /** The seller's products as created, and the one archived among them. */
  let mine: Product[] = [];
  let archived: Product;

  beforeAll(async () => {
    service = await startTestService('seller_products');
    for (const title of ['Birch Stool', 'Oak Desk', 'Walnut Shelf', '50% Off Lamp', 'Pine Crate']) {
      mine.push(await createProduct(service, seller, { title }));
    }
    await createProduct(service, otherSeller, { title: 'Oak Desk of another' });
    const target = mine[1];
    if (!target) throw new Error('no product to archive');
    const response = await service.app.inject({
      method: 'DELETE',
      url: `/api/products/${target.id}`,
      headers: { authorization: await service.tokens.bearer(seller, 'seller') },
    });
    expect(response.statusCode).toBe(204);
    archived = { ...target, status: 'archived' };
    mine = mine.filter((p) => p.id !== target.id);
  });

  afterAll(async () => {
    await service?.close();
  });

  async function list(
    query: Record<string, string | number>,
    as: Role = 'seller',
    userId = seller,
  ) {
    return service.app.inject({
      method: 'GET',
      url: '/api/seller/products',
      query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])),
      headers: { authorization: await service.tokens.bearer(userId, as) },
    });
  }

  async function page(query: Record<string, string | number>): Promise<ProductPage> {
    const response = await list(query);
    expect(response.statusCode, response.body).toBe(200);
    return response.json<ProductPage>();
  }

  /** Newest first, ties by id (descending): the order the keyset pages in. */
  const newestFirst = (products: Product[]) =>
    [...products]
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id))
      .map((p) => p.id);

  it('when a seller asks, then they get their own active products only, newest first', async () => {
    const response = await list({});
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('private, no-store');
    const body = response.json<ProductPage>();
    expect(body.items.map((p) => p.id)).toEqual(newestFirst(mine));
    expect(body.items.every((p) => p.sellerId === seller && p.status === 'active')).toBe(true);
    expect(body.nextCursor).toBeNull();
  });

  it('when status=archived, then only their archived products come', async () => {
    const body = await page({ status: 'archived' });
    expect(body.items.map((p) => p.id)).toEqual([archived.id]);
    expect(body.items[0]).toMatchObject({ status: 'archived', title: archived.title });
    expect((await page({ status: 'active' })).items.map((p) => p.id)).toEqual(newestFirst(mine));
  });

  it('when another seller asks, then none of the first seller’s products are among theirs', async () => {
    const response = await list({}, 'seller', otherSeller);
    const titles = response.json<ProductPage>().items.map((p) => p.title);
    expect(titles).toEqual(['Oak Desk of another']);
    const theirArchived = await list({ status: 'archived' }, 'seller', otherSeller);
    expect(theirArchived.json<ProductPage>().items).toEqual([]);
  });

  it('when paged by 2, then every product comes once, in order, and the last page ends', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body: ProductPage = await page(cursor ? { limit: 2, cursor } : { limit: 2 });
      expect(body.items.length).toBeLessThanOrEqual(2);
      seen.push(...body.items.map((p) => p.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(newestFirst(mine));
    expect(pages).toBe(2);
  });

  it('when the cursor is broken or from the other status, then 400 invalid-cursor', async () => {
    const first = await page({ limit: 1 });
    expect(first.nextCursor).not.toBeNull();
    const queries: Record<string, string>[] = [
      { cursor: 'not-a-cursor' },
      { cursor: first.nextCursor ?? '', status: 'archived' },
    ];
    for (const query of queries) {
      const response = await list(query);
      expect(response.statusCode).toBe(400);
      expect(response.json<Problem>().code).toBe('invalid-cursor');
    }
  });

  it('when q is part of a title, then it matches in any case, wildcards taken literally', async () => {
    expect((await page({ q: 'sHeLf' })).items.map((p) => p.title)).toEqual(['Walnut Shelf']);
    expect((await page({ q: '%' })).items.map((p) => p.title)).toEqual(['50% Off Lamp']);
    expect((await page({ q: '_' })).items).toEqual([]);
    expect((await page({ q: 'oak', status: 'archived' })).items.map((p) => p.id)).toEqual([
      archived.id,
    ]);
    expect((await page({ q: 'oak' })).items).toEqual([]);
  });

  it('when an archived product is restored, then it is listed as active again', async () => {
    const restore = await service.app.inject({
      method: 'PATCH',
      url: `/api/products/${archived.id}`,
      headers: { authorization: await service.tokens.bearer(seller, 'seller') },
      payload: { status: 'active' },
    });
    expect(restore.statusCode).toBe(200);
    try {
      expect((await page({})).items.map((p) => p.id)).toContain(archived.id);
      expect((await page({ status: 'archived' })).items).toEqual([]);
    } finally {
      await service.app.inject({
        method: 'DELETE',
        url: `/api/products/${archived.id}`,
        headers: { authorization: await service.tokens.bearer(seller, 'seller') },
      });
    }
  });

  it('when an admin asks, then they get their own products (none here), not everyone’s', async () => {
    const response = await list({}, 'admin', admin);
    expect(response.statusCode).toBe(200);
    expect(response.json<ProductPage>().items).toEqual([]);
  });

  it('when a buyer asks, then 403; without a token, 401', async () => {
    const buyer = await list({}, 'buyer', randomUUID());
    expect(buyer.statusCode).toBe(403);
    const anonymous = await service.app.inject({ method: 'GET', url: '/api/seller/products' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('when the query is invalid, then 400 naming the field', async () => {
    for (const [query, field] of [
      [{ status: 'deleted' }, 'status'],
      [{ limit: 0 }, 'limit'],
      [{ q: 'x'.repeat(201) }, 'q'],
    ] as const) {
      const response = await list(query);
      expect(response.statusCode).toBe(400);
      const fields = response.json<Problem>().errors?.map((e) => e.field) ?? [];
      expect(fields.some((f) => f.endsWith(field))).toBe(true);
    }
  });
});
