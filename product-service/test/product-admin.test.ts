import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem, Product, Role } from '@marketplace/contracts';
import {
  categoryId,
  createProduct,
  productBody,
  startTestService,
  walkAllPages,
  type TestService,
} from './helpers.ts';

describe('product-service: sellers managing their products', () => {
  let service: TestService;
  const seller = randomUUID();
  const otherSeller = randomUUID();
  const admin = randomUUID();

  beforeAll(async () => {
    service = await startTestService('products_admin');
  });

  afterAll(async () => {
    await service?.close();
  });

  async function call(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    as?: { userId: string; role: Role; name?: string },
    payload?: object,
  ) {
    const headers = as
      ? { authorization: await service.tokens.bearer(as.userId, as.role, as.name) }
      : {};
    return service.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  }
  const asSeller = { userId: seller, role: 'seller' as const };
  const asOther = { userId: otherSeller, role: 'seller' as const };
  const asAdmin = { userId: admin, role: 'admin' as const };
  const fields = (body: string) => (JSON.parse(body) as Problem).errors?.map((e) => e.field) ?? [];
  const codeOf = (response: { json: <T>() => T }) => response.json<Problem>().code;

  it('when a seller lists a product, then 201 with the product as its own and active', async () => {
    const response = await call(
      'POST',
      '/api/products',
      asSeller,
      productBody({ title: '  Oak Desk  ' }),
    );
    expect(response.statusCode).toBe(201);
    const product = response.json<Product>();
    expect(product).toMatchObject({
      sellerId: seller,
      status: 'active',
      title: 'Oak Desk',
      stock: 10,
    });
    expect((await call('GET', `/api/products/${product.id}`)).json()).toEqual(product);
  });

  it('when the body carries sellerId or status, then they are ignored', async () => {
    const response = await call('POST', '/api/products', asSeller, {
      ...productBody(),
      sellerId: otherSeller,
      status: 'archived',
    });
    expect(response.statusCode).toBe(201);
    expect(response.json<Product>()).toMatchObject({ sellerId: seller, status: 'active' });
  });

  it('when a seller patches their product, then only the given fields change', async () => {
    const product = await createProduct(service, seller);
    const response = await call('PATCH', `/api/products/${product.id}`, asSeller, {
      priceMinor: 2599,
      categoryId: categoryId('outdoor'),
      attributes: { colour: 'green' },
    });
    expect(response.statusCode).toBe(200);
    const patched = response.json<Product>();
    expect(patched).toMatchObject({
      ...product,
      priceMinor: 2599,
      categoryId: categoryId('outdoor'),
      attributes: { colour: 'green' },
      version: product.version + 1,
      updatedAt: patched.updatedAt,
    });
    expect(Date.parse(patched.updatedAt)).toBeGreaterThanOrEqual(Date.parse(product.updatedAt));
  });

  it('when another seller patches or archives it, then 403 and nothing changes', async () => {
    const product = await createProduct(service, seller);
    const patch = await call('PATCH', `/api/products/${product.id}`, asOther, { priceMinor: 1 });
    expect(patch.statusCode).toBe(403);
    expect(codeOf(patch)).toBe('not-product-owner');
    const archive = await call('DELETE', `/api/products/${product.id}`, asOther);
    expect(archive.statusCode).toBe(403);
    expect(codeOf(archive)).toBe('not-product-owner');
    expect((await call('GET', `/api/products/${product.id}`)).json()).toEqual(product);
  });

  it('when an admin patches any product, then it changes', async () => {
    const product = await createProduct(service, seller);
    const response = await call('PATCH', `/api/products/${product.id}`, asAdmin, {
      title: 'Moderated',
    });
    expect(response.statusCode).toBe(200);
    expect(response.json<Product>()).toMatchObject({ title: 'Moderated', sellerId: seller });
  });

  it('when a seller’s token carries their name, then the product they list carries it', async () => {
    const named = { userId: randomUUID(), role: 'seller' as const, name: '  Oakwood Studio ' };
    const response = await call('POST', '/api/products', named, productBody());
    expect(response.statusCode).toBe(201);
    const product = response.json<Product>();
    expect(product.sellerName).toBe('Oakwood Studio');
    expect((await call('GET', `/api/products/${product.id}`)).json<Product>().sellerName).toBe(
      'Oakwood Studio',
    );
    const unnamed = await createProduct(service, randomUUID());
    expect(unnamed.sellerName).toBe('');
  });

  it('when a seller edits a listing under a new name, then every listing of theirs shows it', async () => {
    const id = randomUUID();
    const first = await createProduct(service, id, {}, 'Harbor Lights');
    const second = await createProduct(service, id, {}, 'Harbor Lights');
    const patched = await call(
      'PATCH',
      `/api/products/${first.id}`,
      { userId: id, role: 'seller', name: 'Harbor Lights & Co' },
      { priceMinor: 4000 },
    );
    expect(patched.json<Product>()).toMatchObject({
      sellerName: 'Harbor Lights & Co',
      priceMinor: 4000,
    });
    const other = (await call('GET', `/api/products/${second.id}`)).json<Product>();
    // Renaming the shop is not an edit of its other listings (though what a read returns moved).
    expect(other).toEqual({
      ...second,
      sellerName: 'Harbor Lights & Co',
      version: second.version + 1,
    });
    const unnamed = await call(
      'PATCH',
      `/api/products/${first.id}`,
      { userId: id, role: 'seller' },
      { priceMinor: 4100 },
    );
    expect(unnamed.json<Product>().sellerName).toBe('Harbor Lights & Co');
  });

  it('when an admin edits a listing, then the seller’s name stays', async () => {
    const owner = randomUUID();
    const product = await createProduct(service, owner, {}, 'Seller Shop');
    const response = await call(
      'PATCH',
      `/api/products/${product.id}`,
      { ...asAdmin, name: 'Demo Admin' },
      { title: 'Moderated title' },
    );
    expect(response.statusCode).toBe(200);
    expect(response.json<Product>()).toMatchObject({
      title: 'Moderated title',
      sellerId: owner,
      sellerName: 'Seller Shop',
    });
  });

  it('when a seller archives a product, then it leaves the catalog but its seller still sees it', async () => {
    const product = await createProduct(service, seller);
    const archived = await call('DELETE', `/api/products/${product.id}`, asSeller);
    expect(archived.statusCode).toBe(204);
    expect(archived.body).toBe('');
    const hidden = await call('GET', `/api/products/${product.id}`);
    expect(hidden.statusCode).toBe(404);
    expect(codeOf(hidden)).toBe('product-not-found');
    const hiddenFromOther = await call('GET', `/api/products/${product.id}`, asOther);
    expect(hiddenFromOther.statusCode).toBe(404);
    expect(codeOf(hiddenFromOther)).toBe('product-not-found');
    const own = await call('GET', `/api/products/${product.id}`, asSeller);
    expect(own.json<Product>().status).toBe('archived');
    const listed = await walkAllPages(service, { sellerId: seller });
    expect(listed.map((p) => p.id)).not.toContain(product.id);
    expect((await call('DELETE', `/api/products/${product.id}`, asSeller)).statusCode).toBe(204);
    const otherPatch = await call('PATCH', `/api/products/${product.id}`, asOther, { stock: 1 });
    expect(otherPatch.statusCode).toBe(404);
    expect(codeOf(otherPatch)).toBe('product-not-found');
  });

  it('when the seller sets an archived product active again, then it is listed again', async () => {
    const product = await createProduct(service, seller);
    await call('DELETE', `/api/products/${product.id}`, asSeller);
    const restored = await call('PATCH', `/api/products/${product.id}`, asSeller, {
      status: 'active',
    });
    expect(restored.statusCode).toBe(200);
    expect((await call('GET', `/api/products/${product.id}`)).statusCode).toBe(200);
  });

  it('when a buyer tries to list, change or archive, then 403', async () => {
    const product = await createProduct(service, seller);
    const asBuyer = { userId: randomUUID(), role: 'buyer' as const };
    const attempts = [
      await call('POST', '/api/products', asBuyer, productBody()),
      await call('PATCH', `/api/products/${product.id}`, asBuyer, { stock: 1 }),
      await call('DELETE', `/api/products/${product.id}`, asBuyer),
    ];
    for (const response of attempts) {
      expect(response.statusCode).toBe(403);
      expect(codeOf(response)).toBe('forbidden');
    }
  });

  it('when no or a bad token is given, then 401', async () => {
    const anonymous = await call('POST', '/api/products', undefined, productBody());
    expect(anonymous.statusCode).toBe(401);
    expect(codeOf(anonymous)).toBe('unauthorized');
    const forged = await service.app.inject({
      method: 'POST',
      url: '/api/products',
      headers: { authorization: 'Bearer not.a.token' },
      payload: productBody(),
    });
    expect(forged.statusCode).toBe(401);
    expect(forged.headers['content-type']).toContain('application/problem+json');
    expect(codeOf(forged)).toBe('invalid-token');
  });

  it('when the body is empty, then 400 names every required field', async () => {
    const response = await call('POST', '/api/products', asSeller, {});
    expect(response.statusCode).toBe(400);
    expect(codeOf(response)).toBe('validation-error');
    expect(fields(response.body)).toEqual(
      expect.arrayContaining([
        'title',
        'description',
        'priceMinor',
        'currency',
        'stock',
        'categoryId',
        'images',
      ]),
    );
  });

  it('when values are out of range or malformed, then 400 names each', async () => {
    const response = await call('POST', '/api/products', asSeller, {
      ...productBody(),
      title: '   ',
      priceMinor: -5,
      currency: 'eur',
      stock: 1.5,
      images: ['javascript:alert(1)'],
    });
    expect(response.statusCode).toBe(400);
    expect(codeOf(response)).toBe('validation-error');
    expect(fields(response.body)).toEqual(
      expect.arrayContaining(['title', 'priceMinor', 'currency', 'stock', 'images.0']),
    );
  });

  it('when the category does not exist, then 422 names categoryId', async () => {
    const created = await call(
      'POST',
      '/api/products',
      asSeller,
      productBody({ categoryId: randomUUID() }),
    );
    expect(created.statusCode).toBe(422);
    expect(codeOf(created)).toBe('unknown-category');
    expect(fields(created.body)).toEqual(['categoryId']);
    const product = await createProduct(service, seller);
    const patched = await call('PATCH', `/api/products/${product.id}`, asSeller, {
      categoryId: randomUUID(),
    });
    expect(patched.statusCode).toBe(422);
    expect(codeOf(patched)).toBe('unknown-category');
    expect(fields(patched.body)).toEqual(['categoryId']);
  });

  it('when a patch is empty, then 400', async () => {
    const product = await createProduct(service, seller);
    const empty = await call('PATCH', `/api/products/${product.id}`, asSeller, {});
    expect(empty.statusCode).toBe(400);
    expect(codeOf(empty)).toBe('validation-error');
  });

  it('when the product does not exist, then 404', async () => {
    const patched = await call('PATCH', `/api/products/${randomUUID()}`, asSeller, { stock: 1 });
    expect(patched.statusCode).toBe(404);
    expect(codeOf(patched)).toBe('product-not-found');
    const archived = await call('DELETE', `/api/products/${randomUUID()}`, asSeller);
    expect(archived.statusCode).toBe(404);
    expect(codeOf(archived)).toBe('product-not-found');
  });
});
