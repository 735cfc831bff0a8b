import { describe, expect, it } from 'vitest';
import type { CursorValue } from '@marketplace/db';
import {
  createCatalogIndex,
  PRICE_BAND_STARTS,
  type CatalogIndexOptions,
  type IndexFacets,
  type IndexFilter,
  type IndexSort,
  type IndexedProduct,
} from './catalog-index.ts';
import { textWords } from './text-index.ts';

function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// A small vocabulary with shared prefixes and Cyrillic words, so random queries often match.
const WORDS = [
  'lamp',
  'lampion',
  'la',
  'desk',
  'red',
  'reed',
  'steel',
  'st',
  'чай',
  'чайник',
  'синий',
  'x1',
  'x10',
];
const PREFIXES = ['l', 'la', 'lam', 'r', 're', 's', 'st', 'ч', 'чай', 'x', 'x1', 'd', 'q'];

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)] as T;
}

function randomProduct(next: () => number, id: string, version: number): IndexedProduct {
  const text = (n: number): string =>
    Array.from({ length: Math.floor(next() * n) }, () => pick(next, WORDS)).join(
      next() < 0.5 ? ' ' : ', ',
    );
  return {
    id,
    sellerId: pick(next, ['s1', 's2', 's3']),
    categoryId: pick(next, ['c1', 'c2', 'c3', 'c4']),
    title: text(4),
    description: text(8).toUpperCase(),
    priceMinor: pick(next, [0, 500, 999, 1000, 2500, 2500, 70000, 150000]),
    stock: pick(next, [0, 1, 7]),
    status: next() < 0.8 ? 'active' : 'archived',
    createdAt: new Date(Date.UTC(2026, 0, 1 + Math.floor(next() * 5))),
    version,
    attributes:
      next() < 0.7
        ? { colour: pick(next, ['red', 'blue']), ...(next() < 0.5 ? { size: 'M' } : {}) }
        : {},
  };
}

function randomFilter(next: () => number, needTerms: boolean): IndexFilter {
  const terms: string[] = [];
  const count = needTerms ? 1 + Math.floor(next() * 3) : Math.floor(next() * 3);
  for (let i = 0; i < count; i++)
    terms.push(i === count - 1 ? pick(next, PREFIXES) : pick(next, WORDS));
  const filter: IndexFilter = { terms };
  if (next() < 0.3) filter.categoryIds = ['c1', 'c2', 'c3', 'c4', 'c9'].filter(() => next() < 0.5);
  if (next() < 0.2) filter.sellerId = pick(next, ['s1', 's2', 's9']);
  if (next() < 0.3) filter.minPrice = pick(next, [0, 999, 1000, 2500]);
  if (next() < 0.3) filter.maxPrice = pick(next, [999, 2500, 100000]);
  if (next() < 0.3) filter.inStock = next() < 0.5;
  if (next() < 0.3)
    filter.attributes = next() < 0.5 ? { colour: 'red' } : { colour: 'blue', size: 'M' };
  return filter;
}

// ---- the reference: the specification written as plainly as possible ----

function score(p: IndexedProduct, terms: readonly string[]): number | null {
  const title = textWords(p.title);
  const description = textWords(p.description);
  let total = 0;
  for (const [i, term] of terms.entries()) {
    const has = (ws: string[]): boolean =>
      i === terms.length - 1 ? ws.some((w) => w.startsWith(term)) : ws.includes(term);
    const inTitle = has(title);
    const inDescription = has(description);
    if (!inTitle && !inDescription) return null;
    total += (inTitle ? 128 : 0) + (inDescription ? 2 : 0);
  }
  const last = terms[terms.length - 1];
  if (last !== undefined && (title.includes(last) || description.includes(last))) total += 1;
  return total;
}

function matches(p: IndexedProduct, f: IndexFilter): boolean {
  return (
    p.status === 'active' &&
    (f.terms.length === 0 || score(p, f.terms) !== null) &&
    (f.categoryIds === undefined || f.categoryIds.includes(p.categoryId)) &&
    (f.sellerId === undefined || p.sellerId === f.sellerId) &&
    (f.minPrice === undefined || p.priceMinor >= f.minPrice) &&
    (f.maxPrice === undefined || p.priceMinor <= f.maxPrice) &&
    (!f.inStock || p.stock > 0) &&
    Object.entries(f.attributes ?? {}).every(([k, v]) => p.attributes[k] === v)
  );
}

function keyOf(p: IndexedProduct, sort: IndexSort, terms: readonly string[]): [number, string] {
  switch (sort) {
    case 'newest':
      return [p.createdAt.getTime(), p.id];
    case 'price_asc':
    case 'price_desc':
      return [p.priceMinor, p.id];
    case 'relevance':
      return [score(p, terms) ?? -1, p.id];
  }
}

function referenceOrder(
  products: IndexedProduct[],
  f: IndexFilter,
  sort: IndexSort,
): IndexedProduct[] {
  const sign = sort === 'price_asc' ? 1 : -1;
  const idSign = sort === 'price_asc' || sort === 'relevance' ? 1 : -1;
  return products
    .filter((p) => matches(p, f))
    .sort((a, b) => {
      const [pa, ia] = keyOf(a, sort, f.terms);
      const [pb, ib] = keyOf(b, sort, f.terms);
      if (pa !== pb) return sign * (pa - pb);
      return idSign * (ia < ib ? -1 : 1);
    });
}

function referenceFacets(products: IndexedProduct[], f: IndexFilter): IndexFacets {
  const hits = products.filter((p) => matches(p, f));
  const tally = <T>(values: T[]): Map<T, number> => {
    const counts = new Map<T, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    return counts;
  };
  const byCount =
    <T extends { count: number }>(key: (x: T) => string) =>
    (a: T, b: T) =>
      b.count - a.count || (key(a) < key(b) ? -1 : 1);
  const band = (price: number): number =>
    PRICE_BAND_STARTS.filter((start) => price >= start).length - 1;
  const attributes: IndexFacets['attributes'] = {};
  for (const key of [...new Set(hits.flatMap((p) => Object.keys(p.attributes)))].sort()) {
    const values = hits.map((p) => p.attributes[key]).filter((v): v is string => v !== undefined);
    attributes[key] = [...tally(values)]
      .map(([value, count]) => ({ value, count }))
      .sort(byCount((x) => x.value))
      .slice(0, 20);
  }
  return {
    categories: [...tally(hits.map((p) => p.categoryId))]
      .map(([id, count]) => ({ id, count }))
      .sort(byCount((x) => x.id)),
    priceBands: [...tally(hits.map((p) => band(p.priceMinor)))]
      .sort((a, b) => a[0] - b[0])
      .map(([b, count]) => {
        const next = PRICE_BAND_STARTS[b + 1];
        return {
          minMinor: PRICE_BAND_STARTS[b] as number,
          maxMinor: next === undefined ? null : next - 1,
          count,
        };
      }),
    attributes,
  };
}

// The index answers a query one of several ways (dense.ts walks, or collecting every match); the
// default thresholds send these small catalogs the collecting way, so the others are forced.
const CONFIGURATIONS: [string, CatalogIndexOptions][] = [
  ['default thresholds', {}],
  [
    'every query walked, never giving up',
    { denseShare: 0, denseMin: 0, walkBudget: Infinity, sparseTier: 0 },
  ],
  // Few bitset slots: entries are evicted and their slots reused between queries.
  [
    'every query walked within its budget',
    { denseShare: 0, denseMin: 0, sparseTier: 4, bitsetSlots: 8 },
  ],
];

describe.each(CONFIGURATIONS)('catalog index against a plain reference (%s)', (_name, options) => {
  it('when random writes and random searches run, then every page and every facet agrees exactly', () => {
    const next = rng(20260101);
    const index = createCatalogIndex(options);
    const current = new Map<string, IndexedProduct>();
    for (let round = 0; round < 40; round++) {
      // Writes: new products, newer and stale versions, removals.
      for (let w = 0; w < 15; w++) {
        const roll = next();
        const known = [...current.values()];
        if (roll < 0.6 || known.length === 0) {
          // Half the ids share their first 7 characters, so ties on the numeric id key occur.
          const head = next() < 0.5 ? 'abcdef0' : Math.floor(next() * 1e9).toString(16);
          const p = randomProduct(next, `${head}${w % 3}-p${round}-${w}`, 1);
          index.upsert(p);
          current.set(p.id, p);
        } else if (roll < 0.85) {
          const old = pick(next, known);
          const fresh = randomProduct(next, old.id, old.version + 1);
          index.upsert(fresh);
          current.set(old.id, fresh);
          index.upsert(randomProduct(next, old.id, old.version)); // stale: must be ignored
        } else {
          const gone = pick(next, known);
          index.remove(gone.id);
          current.delete(gone.id);
        }
      }
      const products = [...current.values()];
      expect(index.size).toBe(products.length);
      for (let q = 0; q < 10; q++) {
        const sort = pick(next, ['newest', 'price_asc', 'price_desc', 'relevance'] as const);
        const filter = randomFilter(next, sort === 'relevance');
        const expected = referenceOrder(products, filter, sort);
        const limit = 1 + Math.floor(next() * 6);
        const got: string[] = [];
        let after: CursorValue[] | undefined;
        for (;;) {
          const page = index.search(filter, { sort, limit, ...(after ? { after } : {}) });
          got.push(...page.ids);
          if (!page.nextKey) break;
          const last = expected[got.length - 1] as IndexedProduct;
          const [primary, id] = keyOf(last, sort, filter.terms);
          expect(page.nextKey).toEqual([sort === 'newest' ? new Date(primary) : primary, id]);
          after = page.nextKey;
        }
        expect(got, JSON.stringify({ filter, sort, limit })).toEqual(expected.map((p) => p.id));
        expect(index.facets(filter), JSON.stringify(filter)).toEqual(
          referenceFacets(products, filter),
        );
      }
      const active = products.filter((p) => p.status === 'active');
      const byCategory = new Map<string, number>();
      for (const p of active) byCategory.set(p.categoryId, (byCategory.get(p.categoryId) ?? 0) + 1);
      expect(new Map(index.activeCountByCategory())).toEqual(byCategory);
      for (const seller of ['s1', 's2', 's3']) {
        expect(index.activeCountBySeller(seller)).toBe(
          active.filter((p) => p.sellerId === seller).length,
        );
      }
    }
  });
});
