import { describe, expect, it } from 'vitest';
import { Value } from 'typebox/value';
import {
  ATTRIBUTE_NAME_PATTERN,
  ProductBodySchema,
  type ProductBody,
} from '@marketplace/contracts';
import { DEMO_CATEGORIES, DEMO_PRODUCTS } from '../demo/catalog.ts';
import {
  generateCatalog,
  generatedProductId,
  generateProduct,
  type GeneratedProduct,
} from './index.ts';

const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const SAMPLE = 20_000;
const catalog = generateCatalog();
const sample: GeneratedProduct[] = Array.from({ length: SAMPLE }, (_, i) =>
  generateProduct(i, catalog),
);

function bodyOf(p: GeneratedProduct): ProductBody {
  return {
    title: p.title,
    description: p.description,
    priceMinor: p.priceMinor,
    currency: p.currency,
    stock: p.stock,
    categoryId: p.categoryId,
    images: p.images,
    attributes: p.attributes,
  };
}

function share(predicate: (p: GeneratedProduct) => boolean): number {
  return sample.filter(predicate).length / sample.length;
}

describe('catalog generator', () => {
  it('when product i is made again, in another order or from a new catalog, then it is the same', () => {
    const again = generateCatalog();
    for (const i of [19_999, 7, 0, 12_345]) {
      expect(generateProduct(i, again)).toEqual(sample[i]);
    }
    expect(generateProduct(3, catalog)).not.toEqual(sample[4]);
  });

  it('when ids are made, then they are unique lowercase v5-layout UUIDs sorted by index', () => {
    const ids = sample.map((p) => p.id);
    expect(new Set(ids).size).toBe(SAMPLE);
    for (const id of ids.slice(0, 500)) expect(id).toMatch(UUID_V5);
    expect([...ids].sort()).toEqual(ids);
    expect(generatedProductId(0xffffffff)).toMatch(/^ffffffff-/);
    expect(() => generatedProductId(-1)).toThrow(RangeError);
    expect(() => generatedProductId(1.5)).toThrow(RangeError);
  });

  it('when products are made, then each is a valid listing body within the columns', () => {
    const categoryIds = new Set(catalog.leaves.map((leaf) => leaf.id));
    const demoImages = new Set(DEMO_PRODUCTS.map((p) => p.image));
    const attributeName = new RegExp(ATTRIBUTE_NAME_PATTERN);
    // Plain checks collected, not an expect() per field: 20,000 products times 15 would be slow.
    const problems: string[] = [];
    const check = (ok: boolean, p: GeneratedProduct, what: string) => {
      if (!ok) problems.push(`${p.id}: ${what}`);
    };
    sample.forEach((p, i) => {
      if (i < 2000) check(Value.Check(ProductBodySchema, bodyOf(p)), p, 'body schema');
      check(categoryIds.has(p.categoryId), p, 'category is a leaf');
      const words = p.description.split(' ').length;
      check(words >= 30 && words <= 60, p, `description of ${words} words`);
      check(p.title.length <= 200, p, 'title length');
      check(p.images.length >= 1 && p.images.length <= 3, p, 'image count');
      check(
        p.images.every((image) => demoImages.has(image)),
        p,
        `images ${p.images.join()}`,
      );
      const names = Object.keys(p.attributes);
      check(names.length >= 2 && names.length <= 5, p, 'attribute count');
      check(
        names.every((name) => attributeName.test(name)),
        p,
        'attribute names',
      );
      check(JSON.stringify(p.attributes).length <= 4000, p, 'attributes column');
      check(p.sellerName.length <= 120, p, 'seller name column');
      const created = p.createdAt.getTime();
      check(
        created >= catalog.startsAt.getTime() && created < catalog.endsAt.getTime(),
        p,
        'createdAt in the window',
      );
    });
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('when many products are made, then shares and skews look like a marketplace', () => {
    expect(share((p) => p.stock === 0)).toBeGreaterThan(0.06);
    expect(share((p) => p.stock === 0)).toBeLessThan(0.1);
    expect(share((p) => p.status === 'archived')).toBeGreaterThan(0.02);
    expect(share((p) => p.status === 'archived')).toBeLessThan(0.04);
    expect(Math.max(...sample.map((p) => p.stock))).toBeLessThanOrEqual(500);

    const perLeaf = new Map<string, number>();
    const perSeller = new Map<string, number>();
    for (const p of sample) {
      perLeaf.set(p.categoryId, (perLeaf.get(p.categoryId) ?? 0) + 1);
      perSeller.set(p.sellerId, (perSeller.get(p.sellerId) ?? 0) + 1);
    }
    expect(perLeaf.size).toBe(catalog.leaves.length);
    const leafCounts = [...perLeaf.values()].sort((a, b) => b - a);
    expect(leafCounts[0]!).toBeGreaterThan(4 * leafCounts.at(-1)!);
    const sellerCounts = [...perSeller.values()].sort((a, b) => b - a);
    const median = sellerCounts[Math.floor(sellerCounts.length / 2)]!;
    expect(sellerCounts[0]!).toBeGreaterThan(20 * median);

    const prices = sample.map((p) => p.priceMinor).sort((a, b) => a - b);
    expect(prices[0]!).toBeGreaterThanOrEqual(1);
    expect(prices.at(-1)!).toBeLessThanOrEqual(1_000_000_000);
    expect(prices.at(-1)!).toBeGreaterThan(20 * prices[Math.floor(prices.length / 2)]!);
  });

  it('when words are counted, then a few are in nearly every product and many are rare', () => {
    const df = new Map<string, number>();
    for (const p of sample) {
      const words = `${p.title} ${p.description}`.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
      for (const word of new Set(words)) df.set(word, (df.get(word) ?? 0) + 1);
    }
    const counts = [...df.values()];
    expect(counts.filter((n) => n > SAMPLE / 2).length).toBeGreaterThanOrEqual(5);
    expect(counts.filter((n) => n <= 5).length).toBeGreaterThan(2000);
    expect(df.size).toBeGreaterThan(5000);
  });

  it('when the catalog is made, then the demo tree is kept and parents come first', () => {
    const seen = new Set<string>();
    for (const category of catalog.categories) {
      if (category.parentId !== null) expect(seen.has(category.parentId)).toBe(true);
      seen.add(category.id);
    }
    expect(new Set(catalog.categories.map((c) => c.slug)).size).toBe(catalog.categories.length);
    const bySlug = new Map(catalog.categories.map((c) => [c.slug, c]));
    for (const demo of DEMO_CATEGORIES) {
      const category = bySlug.get(demo.slug);
      expect(category?.id).toBe(demo.id);
      const parentId = demo.parentSlug === null ? null : bySlug.get(demo.parentSlug)?.id;
      expect(category?.parentId).toBe(parentId);
    }
    expect(catalog.categories.filter((c) => c.parentId === null)).toHaveLength(8);
    expect(catalog.leaves.length).toBeGreaterThanOrEqual(40);
  });

  it('when sellers are made, then names are unique and each registered before any listing', () => {
    expect(catalog.sellers).toHaveLength(300);
    expect(new Set(catalog.sellers.map((s) => s.name)).size).toBe(300);
    expect(new Set(catalog.sellers.map((s) => s.id)).size).toBe(300);
    for (const seller of catalog.sellers) {
      expect(seller.id).toMatch(UUID_V5);
      expect(seller.registeredAt.getTime()).toBeLessThan(catalog.startsAt.getTime());
    }
    expect(() => generateCatalog({ sellers: 0 })).toThrow(RangeError);
  });
});
