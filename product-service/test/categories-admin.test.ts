import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Category, CategoryRecord, Problem, Product, Seller } from '@marketplace/contracts';
import {
  categoryId,
  createProduct,
  listProducts,
  startTestService,
  walkAllPages,
  type TestService,
} from './helpers.ts';

function findNode(tree: readonly Category[], slug: string): Category | undefined {
  for (const node of tree) {
    if (node.slug === slug) return node;
    const below = findNode(node.children, slug);
    if (below) return below;
  }
  return undefined;
}

function allNodes(tree: readonly Category[]): Category[] {
  return tree.flatMap((node) => [node, ...allNodes(node.children)]);
}

describe('product-service: category admin, counts and seller pages', () => {
  let service: TestService;
  const adminId = randomUUID();
  let slugCounter = 0;
  const slug = () => `t-${Date.now().toString(36)}-${slugCounter++}`;

  beforeAll(async () => {
    service = await startTestService('products_categories');
  });

  afterAll(async () => {
    await service?.close();
  });

  const admin = async () => ({ authorization: await service.tokens.bearer(adminId, 'admin') });
  const send = async (
    method: 'POST' | 'PATCH' | 'DELETE',
    url: string,
    payload?: Record<string, unknown>,
    headers?: Record<string, string>,
  ) =>
    service.app.inject({
      method,
      url,
      headers: headers ?? (await admin()),
      ...(payload ? { payload } : {}),
    });
  const create = async (body: Record<string, unknown>): Promise<CategoryRecord> => {
    const response = await send('POST', '/api/categories', body);
    if (response.statusCode !== 201) throw new Error(`${response.statusCode} ${response.body}`);
    return response.json<CategoryRecord>();
  };
  const tree = async (): Promise<Category[]> =>
    (await service.app.inject({ method: 'GET', url: '/api/categories' })).json<Category[]>();

  it('when an admin adds a category, then 201 with the record and it shows in the tree', async () => {
    const parentId = categoryId('outdoor');
    const s = slug();
    const response = await send('POST', '/api/categories', {
      slug: s,
      name: ' Climbing ',
      parentId,
    });
    expect(response.statusCode).toBe(201);
    const record = response.json<CategoryRecord>();
    expect(record).toEqual({ id: record.id, parentId, slug: s, name: 'Climbing', position: 2 });
    expect(record.id).toMatch(/^[0-9a-f-]{36}$/);
    const node = findNode(await tree(), 'outdoor');
    expect(node?.children.map((c) => c.slug)).toContain(s);
    expect(findNode(await tree(), s)).toMatchObject({ id: record.id, productCount: 0 });
  });

  it('when the slug is taken, then 409 duplicate-slug (create and rename)', async () => {
    const response = await send('POST', '/api/categories', { slug: 'camping', name: 'Again' });
    expect(response.statusCode).toBe(409);
    expect(response.json<Problem>().code).toBe('duplicate-slug');
    const other = await create({ slug: slug(), name: 'Other' });
    const rename = await send('PATCH', `/api/categories/${other.id}`, { slug: 'books' });
    expect(rename.statusCode).toBe(409);
    expect(rename.json<Problem>().code).toBe('duplicate-slug');
  });

  it('when the parent is unknown, then 422 unknown-parent', async () => {
    const response = await send('POST', '/api/categories', {
      slug: slug(),
      name: 'Orphan',
      parentId: randomUUID(),
    });
    expect(response.statusCode).toBe(422);
    expect(response.json<Problem>().code).toBe('unknown-parent');
    const existing = await create({ slug: slug(), name: 'Existing' });
    const move = await send('PATCH', `/api/categories/${existing.id}`, { parentId: randomUUID() });
    expect(move.statusCode).toBe(422);
    expect(move.json<Problem>().code).toBe('unknown-parent');
  });

  it('when a category is moved below itself or a descendant, then 422 category-cycle', async () => {
    const top = await create({ slug: slug(), name: 'Top' });
    const middle = await create({ slug: slug(), name: 'Middle', parentId: top.id });
    const bottom = await create({ slug: slug(), name: 'Bottom', parentId: middle.id });
    for (const parentId of [top.id, middle.id, bottom.id]) {
      const response = await send('PATCH', `/api/categories/${top.id}`, { parentId });
      expect(response.statusCode).toBe(422);
      expect(response.json<Problem>().code).toBe('category-cycle');
    }
    // A legal move still works: bottom up to the root.
    const moved = await send('PATCH', `/api/categories/${bottom.id}`, { parentId: null });
    expect(moved.statusCode).toBe(200);
    expect(moved.json<CategoryRecord>().parentId).toBeNull();
  });

  it('when a category has children or products, then DELETE is 409 category-not-empty', async () => {
    const parent = await create({ slug: slug(), name: 'Parent' });
    const child = await create({ slug: slug(), name: 'Child', parentId: parent.id });
    const withChildren = await send('DELETE', `/api/categories/${parent.id}`);
    expect(withChildren.statusCode).toBe(409);
    expect(withChildren.json<Problem>().code).toBe('category-not-empty');
    const product = await createProduct(service, randomUUID(), { categoryId: child.id });
    const withProduct = await send('DELETE', `/api/categories/${child.id}`);
    expect(withProduct.statusCode).toBe(409);
    expect(withProduct.json<Problem>().code).toBe('category-not-empty');
    // An archived product still holds its category.
    await service.app.inject({
      method: 'DELETE',
      url: `/api/products/${product.id}`,
      headers: await admin(),
    });
    expect((await send('DELETE', `/api/categories/${child.id}`)).statusCode).toBe(409);
  });

  it('when an empty category is deleted, then 204 and it is gone from the tree', async () => {
    const parent = await create({ slug: slug(), name: 'Parent' });
    const leaf = await create({ slug: slug(), name: 'Leaf', parentId: parent.id });
    const response = await send('DELETE', `/api/categories/${leaf.id}`);
    expect(response.statusCode).toBe(204);
    expect(response.body).toBe('');
    expect(findNode(await tree(), leaf.slug)).toBeUndefined();
    expect((await send('DELETE', `/api/categories/${parent.id}`)).statusCode).toBe(204);
    expect(findNode(await tree(), parent.slug)).toBeUndefined();
    const again = await send('DELETE', `/api/categories/${leaf.id}`);
    expect(again.statusCode).toBe(404);
    expect(again.json<Problem>().code).toBe('category-not-found');
  });

  it('when a seller or buyer writes categories, then 403; without a token, 401', async () => {
    const target = await create({ slug: slug(), name: 'Guarded' });
    for (const role of ['seller', 'buyer'] as const) {
      const headers = { authorization: await service.tokens.bearer(randomUUID(), role) };
      const attempts = [
        await send('POST', '/api/categories', { slug: slug(), name: 'X' }, headers),
        await send('PATCH', `/api/categories/${target.id}`, { name: 'X' }, headers),
        await send('DELETE', `/api/categories/${target.id}`, undefined, headers),
      ];
      expect(attempts.map((r) => r.statusCode)).toEqual([403, 403, 403]);
    }
    const anonymous = [
      await send('POST', '/api/categories', { slug: slug(), name: 'X' }, {}),
      await send('PATCH', `/api/categories/${target.id}`, { name: 'X' }, {}),
      await send('DELETE', `/api/categories/${target.id}`, undefined, {}),
    ];
    expect(anonymous.map((r) => r.statusCode)).toEqual([401, 401, 401]);
    expect(findNode(await tree(), target.slug)?.name).toBe('Guarded');
  });

  it('when siblings have positions, then the tree lists them by position, also after a reorder', async () => {
    const parent = await create({ slug: slug(), name: 'Shelf' });
    const c = await create({ slug: slug(), name: 'C', parentId: parent.id, position: 30 });
    const a = await create({ slug: slug(), name: 'A', parentId: parent.id, position: 10 });
    const b = await create({ slug: slug(), name: 'B', parentId: parent.id, position: 20 });
    const order = async () => findNode(await tree(), parent.slug)?.children.map((n) => n.id);
    expect(await order()).toEqual([a.id, b.id, c.id]);
    expect((await send('PATCH', `/api/categories/${a.id}`, { position: 40 })).statusCode).toBe(200);
    expect(await order()).toEqual([b.id, c.id, a.id]);
    // Roots too: the demo ones by their positions.
    const roots = (await tree()).map((n) => n.slug);
    expect(roots.indexOf('electronics')).toBeLessThan(roots.indexOf('home-kitchen'));
    expect(roots.indexOf('books')).toBeLessThan(roots.indexOf('outdoor'));
  });

  it('when the tree is read, then each productCount equals its listing’s count (subtree included)', async () => {
    for (const node of allNodes(await tree())) {
      const listed = await walkAllPages(service, { category: node.slug, limit: 100 });
      expect({ slug: node.slug, count: node.productCount }).toEqual({
        slug: node.slug,
        count: listed.length,
      });
    }
  });

  it('when a product is listed or archived, then the counts up the tree follow at once', async () => {
    const count = async (s: string) => findNode(await tree(), s)?.productCount;
    const before = { camping: await count('camping'), outdoor: await count('outdoor') };
    const sellerId = randomUUID();
    const product = await createProduct(service, sellerId, { categoryId: categoryId('camping') });
    expect(await count('camping')).toBe((before.camping ?? 0) + 1);
    expect(await count('outdoor')).toBe((before.outdoor ?? 0) + 1);
    const archived = await service.app.inject({
      method: 'DELETE',
      url: `/api/products/${product.id}`,
      headers: { authorization: await service.tokens.bearer(sellerId, 'seller') },
    });
    expect(archived.statusCode).toBe(204);
    expect(await count('camping')).toBe(before.camping);
    expect(await count('outdoor')).toBe(before.outdoor);
  });

  it('when a seller page is asked for, then name, active listings and member-since come back', async () => {
    const sellerId = randomUUID();
    const first = await createProduct(service, sellerId, {}, 'Page Test Shop');
    const second = await createProduct(service, sellerId, {}, 'Page Test Shop');
    await createProduct(service, sellerId, {}, 'Page Test Shop');
    await service.app.inject({
      method: 'DELETE',
      url: `/api/products/${second.id}`,
      headers: { authorization: await service.tokens.bearer(sellerId, 'seller') },
    });
    const response = await service.app.inject({ method: 'GET', url: `/api/sellers/${sellerId}` });
    expect(response.statusCode).toBe(200);
    const seller = response.json<Seller>();
    expect(seller).toEqual({
      id: sellerId,
      name: 'Page Test Shop',
      productCount: 2,
      memberSince: first.createdAt,
    });
    const listed = await listProducts(service, { sellerId, limit: 100 });
    expect(seller.productCount).toBe(listed.items.length);
  });

  it('when an unknown seller is asked for, then 404 seller-not-found; a bad id is 400', async () => {
    const unknown = await service.app.inject({
      method: 'GET',
      url: `/api/sellers/${randomUUID()}`,
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<Problem>().code).toBe('seller-not-found');
    const bad = await service.app.inject({ method: 'GET', url: '/api/sellers/not-an-id' });
    expect(bad.statusCode).toBe(400);
  });

  it('when a renamed category is listed by its new slug, then its products follow', async () => {
    const category = await create({ slug: slug(), name: 'Renamed' });
    const product: Product = await createProduct(service, randomUUID(), {
      categoryId: category.id,
    });
    const newSlug = slug();
    expect(
      (await send('PATCH', `/api/categories/${category.id}`, { slug: newSlug })).statusCode,
    ).toBe(200);
    const listed = await listProducts(service, { category: newSlug });
    expect(listed.items.map((p) => p.id)).toEqual([product.id]);
    expect((await listProducts(service, { category: category.slug })).items).toEqual([]);
  });
});
