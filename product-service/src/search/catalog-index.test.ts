import { describe, expect, it } from 'vitest';
import type { CursorValue } from '@marketplace/db';
import {
  createCatalogIndex,
  type CatalogIndex,
  type IndexFilter,
  type IndexSort,
  type IndexedProduct,
} from './catalog-index.ts';

let serial = 0;
function product(overrides: Partial<IndexedProduct> = {}): IndexedProduct {
  serial++;
  return {
    id: `00000000-0000-4000-8000-${String(serial).padStart(12, '0')}`,
    sellerId: 'seller-a',
    categoryId: 'cat-1',
    title: 'plain thing',
    description: 'nothing special here',
    priceMinor: 1000,
    stock: 5,
    status: 'active',
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, serial)),
    version: 1,
    attributes: {},
    ...overrides,
  };
}

function indexOf(...products: IndexedProduct[]): CatalogIndex {
  const index = createCatalogIndex();
  for (const p of products) index.upsert(p);
  return index;
}

/** Every id of a search, following nextKey page by page. */
function allPages(index: CatalogIndex, filter: IndexFilter, sort: IndexSort, limit = 2): string[] {
  const ids: string[] = [];
  let after: CursorValue[] | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = index.search(filter, { sort, limit, ...(after ? { after } : {}) });
    ids.push(...page.ids);
    if (!page.nextKey) return ids;
    after = page.nextKey;
  }
  throw new Error('paging does not end');
}

const words = (terms: string[]): IndexFilter => ({ terms });
const everything: IndexFilter = { terms: [] };

describe('catalog index: sorts and keyset paging', () => {
  const a = product({ priceMinor: 500, createdAt: new Date(Date.UTC(2026, 0, 3)) });
  const b = product({ priceMinor: 500, createdAt: new Date(Date.UTC(2026, 0, 3)) });
  const c = product({ priceMinor: 100, createdAt: new Date(Date.UTC(2026, 0, 1)) });
  const d = product({ priceMinor: 900, createdAt: new Date(Date.UTC(2026, 0, 2)) });

  it('when sorted newest, then createdAt descending and id descending on ties', () => {
    expect(allPages(indexOf(a, b, c, d), everything, 'newest')).toEqual([b.id, a.id, d.id, c.id]);
  });

  it('when sorted by price ascending, then price then id ascending', () => {
    expect(allPages(indexOf(a, b, c, d), everything, 'price_asc')).toEqual([
      c.id,
      a.id,
      b.id,
      d.id,
    ]);
  });

  it('when sorted by price descending, then price then id descending', () => {
    expect(allPages(indexOf(a, b, c, d), everything, 'price_desc')).toEqual([
      d.id,
      b.id,
      a.id,
      c.id,
    ]);
  });

  it('when a page is full and more follow, then nextKey is the last item key; on the last page null', () => {
    const index = indexOf(a, b, c, d);
    const first = index.search(everything, { sort: 'newest', limit: 3 });
    expect(first.nextKey).toEqual([d.createdAt, d.id]);
    expect(first.nextKey?.[0]).toBeInstanceOf(Date);
    const second = index.search(everything, {
      sort: 'newest',
      limit: 3,
      after: first.nextKey ?? [],
    });
    expect(second).toEqual({ ids: [c.id], nextKey: null });
    const priced = index.search(everything, { sort: 'price_asc', limit: 1 });
    expect(priced.nextKey).toEqual([100, c.id]);
  });

  it('when products are inserted between pages, then paging neither loses nor repeats an older item', () => {
    const index = createCatalogIndex();
    const start = Array.from({ length: 30 }, (_, i) =>
      product({ priceMinor: (i % 5) * 100, createdAt: new Date(Date.UTC(2026, 0, 1 + (i % 7))) }),
    );
    for (const p of start) index.upsert(p);
    for (const sort of ['newest', 'price_asc', 'price_desc'] as const) {
      const seen: string[] = [];
      let after: CursorValue[] | undefined;
      for (let round = 0; ; round++) {
        const page = index.search(everything, { sort, limit: 4, ...(after ? { after } : {}) });
        seen.push(...page.ids);
        index.upsert(
          product({
            priceMinor: (round % 6) * 100,
            createdAt: new Date(Date.UTC(2026, 0, 1 + (round % 8))),
          }),
        );
        if (!page.nextKey) break;
        after = page.nextKey;
      }
      expect(new Set(seen).size).toBe(seen.length);
      for (const p of start) expect(seen).toContain(p.id);
    }
  });

  it('when sorted by relevance, then more title matches first, then description matches, id ascending on ties', () => {
    const inTitle = product({ title: 'red kettle', description: 'boils' });
    const inBoth = product({ title: 'kettle', description: 'a kettle that is red' });
    const inDescription = product({ title: 'boiler', description: 'red kettle' });
    const tieA = product({ title: 'red kettle', description: 'boils' });
    const index = indexOf(inDescription, tieA, inTitle, inBoth);
    expect(allPages(index, words(['red', 'kettle']), 'relevance')).toEqual([
      inTitle.id,
      tieA.id,
      inBoth.id,
      inDescription.id,
    ]);
  });

  it('when relevance is asked without terms, then it is refused', () => {
    expect(() => createCatalogIndex().search(everything, { sort: 'relevance', limit: 5 })).toThrow(
      RangeError,
    );
  });
});

describe('catalog index: words', () => {
  it('when several terms are given, then every one must occur in title or description (AND)', () => {
    const both = product({ title: 'steel kettle', description: 'for tea' });
    const one = product({ title: 'steel pan', description: 'for eggs' });
    const split = product({ title: 'kettle', description: 'made of steel' });
    const index = indexOf(both, one, split);
    expect(allPages(index, words(['steel', 'kettle']), 'newest')).toEqual([split.id, both.id]);
  });

  it('when the last term is part of a word, then it matches as a prefix; earlier terms only whole words', () => {
    const headphones = product({ title: 'wireless headphones' });
    const heater = product({ title: 'wire heater' });
    const index = indexOf(headphones, heater);
    expect(allPages(index, words(['hea']), 'newest')).toEqual([heater.id, headphones.id]);
    expect(allPages(index, words(['wire', 'hea']), 'newest')).toEqual([heater.id]);
    expect(allPages(index, words(['wir', 'headphones']), 'newest')).toEqual([]);
  });

  it('when the text is Russian, then its words are found, in any case, and as prefixes', () => {
    const kettle = product({ title: 'Чайник Электрический', description: 'Быстро кипятит воду' });
    const index = indexOf(kettle, product({ title: 'Утюг' }));
    expect(allPages(index, words(['чайник']), 'newest')).toEqual([kettle.id]);
    expect(allPages(index, words(['чайник', 'элек']), 'relevance')).toEqual([kettle.id]);
    expect(allPages(index, words(['воду']), 'newest')).toEqual([kettle.id]);
  });

  it('when words are split by punctuation, then each part is a word', () => {
    const p = product({ title: 'USB-C cable, 2m' });
    const index = indexOf(p);
    expect(allPages(index, words(['usb', 'c']), 'newest')).toEqual([p.id]);
    expect(allPages(index, words(['2m']), 'newest')).toEqual([p.id]);
  });

  it('when the title matches, then it ranks above a product matching only in its description', () => {
    const description = product({ title: 'gift', description: 'lamp lamp lamp lamp' });
    const title = product({ title: 'desk lamp', description: 'bright' });
    const page = indexOf(description, title).search(words(['lamp']), {
      sort: 'relevance',
      limit: 1,
    });
    expect(page.ids).toEqual([title.id]);
    expect(page.nextKey?.[0]).toBeGreaterThan(0);
    expect(Number.isInteger(page.nextKey?.[0])).toBe(true);
  });

  it('when the title changes, then the old words no longer find it and the new ones do', () => {
    const p = product({ title: 'old name' });
    const index = indexOf(p);
    index.upsert({ ...p, title: 'new name', version: 2 });
    expect(allPages(index, words(['old']), 'newest')).toEqual([]);
    expect(allPages(index, words(['new']), 'newest')).toEqual([p.id]);
  });
});

describe('catalog index: filters', () => {
  const cheap = product({
    priceMinor: 999,
    categoryId: 'cat-1',
    sellerId: 's1',
    stock: 0,
    attributes: { colour: 'black', size: 'M' },
  });
  const mid = product({
    priceMinor: 1000,
    categoryId: 'cat-2',
    sellerId: 's1',
    stock: 3,
    attributes: { colour: 'black', size: 'L' },
  });
  const dear = product({
    priceMinor: 5000,
    categoryId: 'cat-3',
    sellerId: 's2',
    stock: 1,
    attributes: { colour: 'white' },
  });
  const index = indexOf(cheap, mid, dear);
  const ids = (filter: Omit<IndexFilter, 'terms'>): string[] =>
    allPages(index, { terms: [], ...filter }, 'price_asc');

  it('when categories are given, then any of them matches; an unknown or empty list matches none', () => {
    expect(ids({ categoryIds: ['cat-1', 'cat-3'] })).toEqual([cheap.id, dear.id]);
    expect(ids({ categoryIds: ['cat-9'] })).toEqual([]);
    expect(ids({ categoryIds: [] })).toEqual([]);
  });

  it('when a seller is given, then only that seller', () => {
    expect(ids({ sellerId: 's1' })).toEqual([cheap.id, mid.id]);
    expect(ids({ sellerId: 'nobody' })).toEqual([]);
  });

  it('when a price range is given, then both ends are inclusive', () => {
    expect(ids({ minPrice: 1000 })).toEqual([mid.id, dear.id]);
    expect(ids({ maxPrice: 1000 })).toEqual([cheap.id, mid.id]);
    expect(ids({ minPrice: 1000, maxPrice: 1000 })).toEqual([mid.id]);
  });

  it('when in stock is asked, then stock above zero only', () => {
    expect(ids({ inStock: true })).toEqual([mid.id, dear.id]);
    expect(ids({ inStock: false })).toEqual([cheap.id, mid.id, dear.id]);
  });

  it('when attributes are given, then every pair must match exactly', () => {
    expect(ids({ attributes: { colour: 'black' } })).toEqual([cheap.id, mid.id]);
    expect(ids({ attributes: { colour: 'black', size: 'L' } })).toEqual([mid.id]);
    expect(ids({ attributes: { colour: 'Black' } })).toEqual([]);
    expect(ids({ attributes: {} })).toEqual([cheap.id, mid.id, dear.id]);
  });

  it('when filters are combined, then all of them hold', () => {
    expect(ids({ sellerId: 's1', inStock: true, attributes: { colour: 'black' } })).toEqual([
      mid.id,
    ]);
    expect(
      ids({ categoryIds: ['cat-1', 'cat-2', 'cat-3'], minPrice: 2000, sellerId: 's2' }),
    ).toEqual([dear.id]);
    expect(ids({ categoryIds: ['cat-1'], inStock: true })).toEqual([]);
  });
});

describe('catalog index: writes', () => {
  it('when an older version arrives, then it is ignored; an equal or newer one replaces', () => {
    const p = product({ version: 5, priceMinor: 100 });
    const index = indexOf(p);
    index.upsert({ ...p, version: 4, priceMinor: 999, title: 'stale' });
    expect(index.versionOf(p.id)).toBe(5);
    expect(allPages(index, words(['stale']), 'newest')).toEqual([]);
    expect(allPages(index, { terms: [], maxPrice: 100 }, 'newest')).toEqual([p.id]);
    index.upsert({ ...p, version: 6, priceMinor: 999 });
    expect(index.versionOf(p.id)).toBe(6);
    expect(allPages(index, { terms: [], maxPrice: 100 }, 'newest')).toEqual([]);
  });

  it('when a product is archived, then it leaves search, facets and active counts but stays indexed', () => {
    const p = product({ title: 'lamp', categoryId: 'cat-1', sellerId: 's1' });
    const other = product({ title: 'lamp', categoryId: 'cat-1', sellerId: 's1' });
    const index = indexOf(p, other);
    index.upsert({ ...p, status: 'archived', version: 2 });
    expect(allPages(index, words(['lamp']), 'relevance')).toEqual([other.id]);
    expect(index.facets(words(['lamp'])).categories).toEqual([{ id: 'cat-1', count: 1 }]);
    expect(index.activeCountByCategory().get('cat-1')).toBe(1);
    expect(index.activeCountBySeller('s1')).toBe(1);
    expect(index.has(p.id)).toBe(true);
    expect(index.size).toBe(2);
    index.upsert({ ...p, status: 'active', version: 3 });
    expect(index.activeCountBySeller('s1')).toBe(2);
  });

  it('when a product is removed, then it is gone everywhere and its number is reused cleanly', () => {
    const p = product({ title: 'lamp', categoryId: 'cat-1', sellerId: 's1' });
    const index = indexOf(p);
    index.remove(p.id);
    expect(index.has(p.id)).toBe(false);
    expect(index.versionOf(p.id)).toBeUndefined();
    expect(index.size).toBe(0);
    expect(allPages(index, words(['lamp']), 'relevance')).toEqual([]);
    expect(index.activeCountByCategory().get('cat-1')).toBeUndefined();
    expect(index.activeCountBySeller('s1')).toBe(0);
    const next = product({ title: 'chair' });
    index.upsert(next);
    expect(allPages(index, words(['lamp']), 'relevance')).toEqual([]);
    expect(allPages(index, words(['chair']), 'relevance')).toEqual([next.id]);
    index.remove('unknown');
    expect(index.size).toBe(1);
  });

  it('when products move between categories and sellers, then the active counts follow', () => {
    const p = product({ categoryId: 'cat-1', sellerId: 's1' });
    const index = indexOf(p, product({ categoryId: 'cat-2', sellerId: 's2' }));
    index.upsert({ ...p, categoryId: 'cat-2', sellerId: 's2', version: 2 });
    expect([...index.activeCountByCategory()]).toEqual([['cat-2', 2]]);
    expect(index.activeCountBySeller('s1')).toBe(0);
    expect(index.activeCountBySeller('s2')).toBe(2);
  });
});

describe('catalog index: facets', () => {
  it('when faceting, then categories by count then id, fixed price bands, top attribute values', () => {
    const index = indexOf(
      product({ categoryId: 'b', priceMinor: 0, attributes: { colour: 'red' } }),
      product({ categoryId: 'a', priceMinor: 999, attributes: { colour: 'red', size: 'S' } }),
      product({ categoryId: 'b', priceMinor: 100000, attributes: { colour: 'blue' } }),
      product({ categoryId: 'c', priceMinor: 24999, attributes: {} }),
    );
    expect(index.facets(everything)).toEqual({
      categories: [
        { id: 'b', count: 2 },
        { id: 'a', count: 1 },
        { id: 'c', count: 1 },
      ],
      priceBands: [
        { minMinor: 0, maxMinor: 999, count: 2 },
        { minMinor: 10000, maxMinor: 24999, count: 1 },
        { minMinor: 100000, maxMinor: null, count: 1 },
      ],
      attributes: {
        colour: [
          { value: 'red', count: 2 },
          { value: 'blue', count: 1 },
        ],
        size: [{ value: 'S', count: 1 }],
      },
    });
  });

  it('when products have more attributes than are kept inline, then every one is counted, and an edit recounts', () => {
    const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`a${i}`, 'x']));
    const wide = product({ attributes: many });
    const narrow = product({ attributes: { a8: 'x' } });
    const index = indexOf(wide, narrow);
    const counted = index.facets(everything).attributes;
    expect(Object.keys(counted).sort()).toEqual(Object.keys(many).sort());
    expect(counted.a0).toEqual([{ value: 'x', count: 1 }]);
    expect(counted.a8).toEqual([{ value: 'x', count: 2 }]);
    // The same counted product by product (a filter), not from the running counts.
    expect(index.facets({ terms: [], minPrice: 0 }).attributes).toEqual(counted);
    index.upsert({ ...wide, version: wide.version + 1, attributes: { a0: 'y' } });
    expect(index.facets(everything).attributes).toEqual({
      a0: [{ value: 'y', count: 1 }],
      a8: [{ value: 'x', count: 1 }],
    });
  });

  it('when attribute pairs outnumber the 16 bits of a facet row, then the products past them are still counted', () => {
    const index = createCatalogIndex();
    // Pair numbers 0..65535: the last ones cannot be stored in a 16-bit row slot.
    for (let i = 0; i < 0x10000; i++) index.upsert(product({ attributes: { code: `c${i}` } }));
    const late = product({ attributes: { code: 'c65535', shade: 'late' } });
    index.upsert(late);
    const counted = index.facets(everything).attributes;
    expect(counted.shade).toEqual([{ value: 'late', count: 1 }]);
    expect(counted.code?.[0]).toEqual({ value: 'c65535', count: 2 });
    // Filtered, so counted product by product (not from the running counts).
    expect(index.facets({ terms: [], attributes: { shade: 'late' } })).toMatchObject({
      categories: [{ id: late.categoryId, count: 1 }],
      attributes: { code: [{ value: 'c65535', count: 1 }], shade: [{ value: 'late', count: 1 }] },
    });
  });

  it('when an attribute has many values, then only the 20 most frequent are listed', () => {
    const index = createCatalogIndex();
    for (let i = 0; i < 25; i++) {
      for (let j = 0; j <= i; j++)
        index.upsert(product({ attributes: { code: `v${String(i).padStart(2, '0')}` } }));
    }
    const codes = index.facets(everything).attributes.code ?? [];
    expect(codes).toHaveLength(20);
    expect(codes[0]).toEqual({ value: 'v24', count: 25 });
    expect(codes[19]).toEqual({ value: 'v05', count: 6 });
  });

  it('when facets are counted for a filter, then each category count is what a search in it pages through', () => {
    const index = createCatalogIndex();
    for (let i = 0; i < 60; i++) {
      index.upsert(
        product({
          title: i % 2 ? 'lamp shade' : 'lampion',
          categoryId: `cat-${i % 4}`,
          priceMinor: i * 50,
          status: i % 9 === 0 ? 'archived' : 'active',
        }),
      );
    }
    const filter: IndexFilter = { terms: ['lamp'], minPrice: 200 };
    const facets = index.facets(filter);
    expect(facets.categories.length).toBe(4);
    for (const { id, count } of facets.categories) {
      expect(allPages(index, { ...filter, categoryIds: [id] }, 'relevance', 7)).toHaveLength(count);
    }
    const total = facets.priceBands.reduce((sum, band) => sum + band.count, 0);
    expect(allPages(index, filter, 'price_asc', 7)).toHaveLength(total);
  });
});
