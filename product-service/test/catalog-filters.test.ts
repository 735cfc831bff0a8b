import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Problem, Product, ProductBody, ProductPage } from '@marketplace/contracts';
import { DEMO_CATEGORIES } from '../src/demo/catalog.ts';
import {
  categoryId,
  createProduct,
  listProducts,
  productBody,
  startTestService,
  walkAllPages,
  type TestService,
} from './helpers.ts';

type Query = Record<string, string | number | boolean>;

/** A word no demo product holds: searches for it see this suite's products only. */
const WORD = 'zorbix';
const ids = (products: readonly Product[]): string[] => products.map((p) => p.id);

/** The slugs of a category and every category below it, from the demo tree. */
function subtree(slug: string): Set<string> {
  const found = new Set([slug]);
  for (let grew = true; grew;) {
    grew = false;
    for (const c of DEMO_CATEGORIES) {
      if (c.parentSlug !== null && found.has(c.parentSlug) && !found.has(c.slug)) {
        found.add(c.slug);
        grew = true;
      }
    }
  }
  return new Set(DEMO_CATEGORIES.filter((c) => found.has(c.slug)).map((c) => c.id));
}

/** The words as search-terms.ts cuts them; the last query word matches as a prefix. */
function matchesText(product: Product, q: string): boolean {
  const words = `${product.title} ${product.description}`.toLowerCase().match(/[\p{L}\p{N}]+/gu);
  const terms = q.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (!words) return false;
  return terms.every((term, i) =>
    i === terms.length - 1 ? words.some((w) => w.startsWith(term)) : words.includes(term),
  );
}

/** What the service should answer for `query`, from every active product, in its order. */
function reference(all: readonly Product[], query: Query): Product[] {
  const q = typeof query.q === 'string' ? query.q : undefined;
  const categories = typeof query.category === 'string' ? subtree(query.category) : undefined;
  const matched = all.filter((p) => {
    if (q !== undefined && !matchesText(p, q)) return false;
    if (categories && !categories.has(p.categoryId)) return false;
    if (query.sellerId !== undefined && p.sellerId !== query.sellerId) return false;
    if (query.minPrice !== undefined && p.priceMinor < Number(query.minPrice)) return false;
    if (query.maxPrice !== undefined && p.priceMinor > Number(query.maxPrice)) return false;
    if (query.inStock === true && p.stock === 0) return false;
    for (const [key, value] of Object.entries(query)) {
      if (key.startsWith('attr.') && p.attributes[key.slice(5)] !== value) return false;
    }
    return true;
  });
  const byId = (a: Product, b: Product) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  // As catalog.service.ts: words rank by relevance unless told; without words it means newest.
  const asked = String(query.sort ?? (q === undefined ? 'newest' : 'relevance'));
  const sort = asked === 'relevance' && q === undefined ? 'newest' : asked;
  switch (sort) {
    case 'price_asc':
      return matched.sort((a, b) => a.priceMinor - b.priceMinor || byId(a, b));
    case 'price_desc':
      return matched.sort((a, b) => b.priceMinor - a.priceMinor || byId(b, a));
    case 'relevance':
      // Scores are the index's own: only the set is known here (the order is checked apart).
      return matched.sort(byId);
    default:
      return matched.sort(
        (a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || byId(b, a),
      );
  }
}

/** Every combination of the values of each dimension (undefined = parameter left out). */
function combinations(dimensions: Record<string, readonly (Query | undefined)[]>): Query[] {
  let result: Query[] = [{}];
  for (const values of Object.values(dimensions)) {
    result = result.flatMap((query) => values.map((value) => ({ ...query, ...value })));
  }
  return result;
}

describe('product-service: attributes, filters, sorts and facets against a reference', () => {
  let service: TestService;
  const sellers = [randomUUID(), randomUUID(), randomUUID()];
  const leafSlugs = ['camping', 'audio', 'computers', 'home-kitchen', 'books', 'outdoor'];
  const prices = [500, 999, 1000, 2499, 2500, 4999, 5000, 12_000, 150_000];
  const colours = ['black', 'red', 'green'];
  const sizes = ['s', 'm', 'l', 'xl'];

  beforeAll(async () => {
    service = await startTestService('products_filters');
    for (let i = 0; i < 36; i++) {
      const attributes: Record<string, string> =
        i % 5 === 4
          ? {}
          : {
              colour: colours[Math.floor(i / 3) % 3] as string,
              size: sizes[Math.floor(i / 2) % 4] as string,
              ...(i % 4 === 1 ? { material: 'steel' } : {}),
            };
      await createProduct(service, sellers[i % 3] as string, {
        title: i % 2 === 0 ? `Item ${i} ${WORD} kit` : `Item ${i} plain kit`,
        description: i % 3 === 0 ? `Holds a ${WORD} inside.` : 'Nothing special.',
        categoryId: categoryId(leafSlugs[i % 6] as string),
        priceMinor: prices[(i * 7) % 9] as number,
        stock: i % 4 === 0 ? 0 : 5,
        attributes,
      });
    }
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  const get = (url: string) => service.app.inject({ method: 'GET', url });
  const asSeller = async (sellerId: string) => ({
    authorization: await service.tokens.bearer(sellerId, 'seller'),
  });
  const allActive = () => walkAllPages(service, { limit: 100 });

  it('when a product is listed with attributes, then they come back; a patch replaces them', async () => {
    const sellerId = sellers[0] as string;
    const created = await createProduct(service, sellerId, {
      attributes: { colour: 'teal', size: 'xs', fabric: 'wool' },
    });
    expect(created.attributes).toEqual({ colour: 'teal', size: 'xs', fabric: 'wool' });
    const read = (await get(`/api/products/${created.id}`)).json<Product>();
    expect(read.attributes).toEqual(created.attributes);
    expect(ids((await listProducts(service, { 'attr.fabric': 'wool' })).items)).toEqual([
      created.id,
    ]);

    const patch = async (payload: Record<string, unknown>) =>
      service.app.inject({
        method: 'PATCH',
        url: `/api/products/${created.id}`,
        headers: await asSeller(sellerId),
        payload,
      });
    const replaced = await patch({ attributes: { colour: 'navy' } });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json<Product>().attributes).toEqual({ colour: 'navy' });
    // Replaced, not merged: the old pairs no longer filter to it.
    expect((await listProducts(service, { 'attr.fabric': 'wool' })).items).toEqual([]);
    expect(ids((await listProducts(service, { 'attr.colour': 'navy' })).items)).toEqual([
      created.id,
    ]);
    // A patch without attributes keeps them.
    const titled = await patch({ title: 'Renamed Lantern' });
    expect(titled.json<Product>().attributes).toEqual({ colour: 'navy' });
    const cleared = await patch({ attributes: {} });
    expect(cleared.json<Product>().attributes).toEqual({});
    expect((await listProducts(service, { 'attr.colour': 'navy' })).items).toEqual([]);
  });

  it('when attr.* filters are given, then one, two ANDed, none matching, with q, category and sort agree with the reference', async () => {
    const all = await allActive();
    const queries: Query[] = [
      { 'attr.colour': 'black' },
      { 'attr.colour': 'black', 'attr.size': 'm' },
      { 'attr.colour': 'black', 'attr.size': 'nope' },
      { 'attr.colour': 'red', q: WORD },
      { 'attr.size': 'l', category: 'outdoor' },
      { 'attr.material': 'steel', sort: 'price_desc' },
    ];
    for (const query of queries) {
      const expected = reference(all, query);
      const walked = await walkAllPages(service, { ...query, limit: 3 });
      // A search without a sort is by relevance: only its set is known here.
      if (query.q !== undefined && query.sort === undefined) {
        expect(ids(walked).sort()).toEqual(ids(expected));
      } else expect(ids(walked)).toEqual(ids(expected));
    }
    expect(reference(all, { 'attr.colour': 'black', 'attr.size': 'm' }).length).toBeGreaterThan(0);
    expect(reference(all, { 'attr.colour': 'black', 'attr.size': 'nope' })).toEqual([]);
  });

  it('when attributes in a body are malformed, then 400 names the field', async () => {
    const create = async (attributes: Record<string, string>) =>
      service.app.inject({
        method: 'POST',
        url: '/api/products',
        headers: await asSeller(sellers[0] as string),
        payload: { ...productBody(), attributes },
      });
    const cases: [Record<string, string>, string][] = [
      [{ Colour: 'black' }, 'attributes.Colour'],
      [{ '1size': 'm' }, 'attributes.1size'],
      [{ colour: '' }, 'attributes.colour'],
      [{ colour: '   ' }, 'attributes.colour'],
      [{ colour: 'x'.repeat(65) }, 'attributes.colour'],
    ];
    for (const [attributes, field] of cases) {
      const response = await create(attributes);
      expect({ attributes, status: response.statusCode }).toEqual({ attributes, status: 400 });
      expect(response.json<Problem>().code).toBe('validation-error');
      expect(response.json<Problem>().errors?.map((e) => e.field)).toContain(field);
    }
    const tooMany = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`a${i}`, 'v']));
    const response = await create(tooMany);
    expect(response.statusCode).toBe(400);
    expect(response.json<Problem>().errors?.map((e) => e.field)).toContain('attributes');
    const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`a${i}`, 'v']));
    expect((await create(twenty)).statusCode).toBe(201);
  });

  it('when attr.* query parameters are malformed, then 400 names the parameter', async () => {
    const cases: [string, string][] = [
      ['attr.Colour=black', 'querystring.attr.Colour'],
      // The empty name's trailing dot is lost in the field path; still names the family.
      ['attr.=black', 'querystring.attr'],
      [`attr.colour=${'x'.repeat(65)}`, 'querystring.attr.colour'],
      ['attr.colour=', 'querystring.attr.colour'],
    ];
    for (const [query, field] of cases) {
      const response = await get(`/api/products?${query}`);
      expect({ query, status: response.statusCode }).toEqual({ query, status: 400 });
      expect(response.json<Problem>().code).toBe('validation-error');
      // An empty value breaks two rules (minLength, pattern): one field, two messages.
      const fields = new Set(response.json<Problem>().errors?.map((e) => e.field));
      expect({ query, fields: [...fields] }).toEqual({
        query,
        fields: [field],
      });
    }
  });

  it('when every combination of q, category, seller, price, inStock, attr.* and sort is walked, then each equals the reference', async () => {
    const all = await allActive();
    const queries = combinations({
      q: [undefined, { q: WORD }],
      category: [undefined, { category: 'outdoor' }, { category: 'audio' }],
      seller: [undefined, { sellerId: sellers[1] as string }],
      price: [undefined, { minPrice: 1000, maxPrice: 5000 }],
      stock: [undefined, { inStock: true }],
      attr: [undefined, { 'attr.colour': 'black' }, { 'attr.colour': 'red', 'attr.size': 'l' }],
      sort: [
        { sort: 'newest' },
        { sort: 'price_asc' },
        { sort: 'price_desc' },
        { sort: 'relevance' },
      ],
    });
    const mismatches: string[] = [];
    let nonEmpty = 0;
    for (const query of queries) {
      const expected = ids(reference(all, query));
      const walked = ids(await walkAllPages(service, { ...query, limit: 4 }));
      if (expected.length > 0) nonEmpty++;
      if (new Set(walked).size !== walked.length)
        mismatches.push(`repeats: ${JSON.stringify(query)}`);
      const byRelevance = query.sort === 'relevance' && query.q !== undefined;
      if (byRelevance) {
        // The order is the index's: the walk must give the one-page answer, item for item.
        const onePage = ids((await listProducts(service, { ...query, limit: 100 })).items);
        if (walked.join() !== onePage.join()) mismatches.push(`order: ${JSON.stringify(query)}`);
        if ([...walked].sort().join() !== expected.join()) {
          mismatches.push(`set: ${JSON.stringify(query)}`);
        }
      } else if (walked.join() !== expected.join()) {
        mismatches.push(`${JSON.stringify(query)}: got ${walked.length}, want ${expected.length}`);
      }
    }
    expect(mismatches).toEqual([]);
    // The reference is not trivially empty.
    expect(nonEmpty).toBeGreaterThan(queries.length / 4);
  }, 120_000);

  it.each<[string, Query]>([
    ['no filter', {}],
    ['a search', { q: WORD }],
    ['a category', { category: 'outdoor' }],
    ['a search and an attribute', { q: WORD, 'attr.colour': 'black' }],
    ['a price range and inStock', { minPrice: 1000, maxPrice: 12_000, inStock: true }],
  ])(
    'when facets are asked for with %s, then every count agrees with the items',
    async (_, query) => {
      const page = await listProducts(service, { ...query, facets: true, limit: 1 });
      const facets = page.facets;
      expect(facets).toBeDefined();
      if (!facets) return;
      const items = await walkAllPages(service, { ...query, limit: 100 });
      const total = items.length;
      const countOf = async (extra: Query) =>
        (await walkAllPages(service, { ...query, ...extra, limit: 100 })).length;

      expect(facets.categories.reduce((sum, c) => sum + c.count, 0)).toBe(total);
      for (const category of facets.categories) {
        expect(items.filter((p) => p.categoryId === category.id)).toHaveLength(category.count);
      }
      // A category filter takes its subtree: the facet counts of the subtree's nodes add up to it.
      const within = typeof query.category === 'string' ? subtree(query.category) : undefined;
      for (const { slug } of DEMO_CATEGORIES) {
        const below = subtree(slug);
        // Adding a category replaces the query's own: only narrower ones are a refinement.
        if (within && ![...below].every((id) => within.has(id))) continue;
        const summed = facets.categories
          .filter((c) => below.has(c.id))
          .reduce((sum, c) => sum + c.count, 0);
        expect({ slug, count: await countOf({ category: slug }) }).toEqual({ slug, count: summed });
      }

      expect(facets.priceBands.reduce((sum, b) => sum + b.count, 0)).toBe(total);
      for (const band of facets.priceBands) {
        // The band's bounds narrowed by the query's own, as a shopper clicking it would get.
        const min = Math.max(band.minMinor, Number(query.minPrice ?? 0));
        const max = Math.min(band.maxMinor ?? Infinity, Number(query.maxPrice ?? Infinity));
        const extra: Query = { minPrice: min, ...(Number.isFinite(max) ? { maxPrice: max } : {}) };
        expect({ band, count: await countOf(extra) }).toEqual({ band, count: band.count });
      }

      for (const [name, values] of Object.entries(facets.attributes)) {
        for (const { value, count } of values) {
          expect(items.filter((p) => p.attributes[name] === value)).toHaveLength(count);
          expect({ name, value, count: await countOf({ [`attr.${name}`]: value }) }).toEqual({
            name,
            value,
            count,
          });
        }
      }
      expect(Object.keys(facets.attributes).length).toBeGreaterThan(0);
    },
  );

  it('when facets are not asked for, then there are none', async () => {
    expect((await listProducts(service, {})).facets).toBeUndefined();
    expect((await listProducts(service, { q: WORD })).facets).toBeUndefined();
  });

  it.each<[string, Query]>([
    ['a MySQL listing by newest', { sort: 'newest' }],
    ['a MySQL listing by price', { sort: 'price_asc' }],
    ['a search by relevance', { q: WORD }],
    ['a search by price', { q: WORD, sort: 'price_desc' }],
  ])(
    'when products are listed between the page fetches of %s, then nothing that existed is lost or repeated',
    async (_, query) => {
      const before = ids(await walkAllPages(service, { ...query, limit: 100 }));
      const seen: string[] = [];
      let cursor: string | null = null;
      let inserted = 0;
      for (let pages = 0; pages < 100; pages++) {
        const page: ProductPage = await listProducts(service, {
          ...query,
          limit: 5,
          ...(cursor ? { cursor } : {}),
        });
        seen.push(...ids(page.items));
        cursor = page.nextCursor;
        if (!cursor) break;
        // Cheap, dear and in between, all matching the search: some land ahead, some behind.
        await createProduct(service, sellers[2] as string, {
          title: `Late ${WORD} arrival ${inserted}`,
          priceMinor: [1, 999_999, 2500][inserted % 3] as number,
        });
        inserted++;
      }
      expect(inserted).toBeGreaterThan(2);
      expect(new Set(seen).size).toBe(seen.length);
      expect(before.filter((id) => !seen.includes(id))).toEqual([]);
    },
    60_000,
  );

  it('when a Russian word is searched, in any case or as a prefix, then its product is found', async () => {
    const product = await createProduct(service, sellers[0] as string, {
      title: 'Фонарь походный',
      description: 'Светодиодный фонарь для палатки.',
    });
    for (const q of ['фонарь', 'ФОНАРЬ', 'Фонарь палатки', 'фона', 'походн']) {
      const page = await listProducts(service, { q });
      expect({ q, found: ids(page.items) }).toEqual({ q, found: [product.id] });
    }
    expect((await listProducts(service, { q: 'фонарик' })).items).toEqual([]);
  });

  it('when the last word is a prefix, then it matches; an earlier word must match whole', async () => {
    const all = await allActive();
    const prefix = await walkAllPages(service, { q: 'zorb', limit: 100 });
    expect(ids(prefix).sort()).toEqual(ids(reference(all, { q: 'zorb', sort: 'relevance' })));
    expect(prefix.length).toBeGreaterThan(10);
    expect((await listProducts(service, { q: 'zorb kit' })).items).toEqual([]);
    const both = await walkAllPages(service, { q: `${WORD} ki`, limit: 100 });
    expect(ids(both).sort()).toEqual(ids(reference(all, { q: `${WORD} ki`, sort: 'relevance' })));
  });

  it('when ten 2048-character image URLs full of quotes and backslashes are sent, then 201 and they read back equal', async () => {
    const head = 'https://img.example/';
    const images = Array.from({ length: 10 }, (_, i) => {
      const filler = `"\\${i}`.repeat(1000);
      return (head + filler).slice(0, 2048);
    });
    expect(images.every((url) => url.length === 2048)).toBe(true);
    const created = await createProduct(service, sellers[0] as string, { images });
    expect(created.images).toEqual(images);
    expect((await get(`/api/products/${created.id}`)).json<Product>().images).toEqual(images);
    const patched = await service.app.inject({
      method: 'PATCH',
      url: `/api/products/${created.id}`,
      headers: await asSeller(sellers[0] as string),
      payload: { images: [...images].reverse() },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json<Product>().images).toEqual([...images].reverse());
    const tooLong = await service.app.inject({
      method: 'POST',
      url: '/api/products',
      headers: await asSeller(sellers[0] as string),
      payload: productBody({ images: [`${head}${'a'.repeat(2048)}`] }),
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json<Problem>().errors?.map((e) => e.field)).toContain('images.0');
  });

  it('when an image URL holds an emoji, a space or another host’s path, then 400 names it', async () => {
    const cases: [ProductBody['images'], string][] = [
      [['https://img.example/lamp-🙂.png'], 'images.0'],
      [['/demo/ok.svg', '/demo/a lamp.svg'], 'images.1'],
      [['//evil.example/x.png'], 'images.0'],
      [['javascript:alert(1)'], 'images.0'],
    ];
    for (const [images, field] of cases) {
      const response = await service.app.inject({
        method: 'POST',
        url: '/api/products',
        headers: await asSeller(sellers[0] as string),
        payload: productBody({ images }),
      });
      expect({ images, status: response.statusCode }).toEqual({ images, status: 400 });
      expect(response.json<Problem>().errors?.map((e) => e.field)).toEqual([field]);
    }
  });
});
