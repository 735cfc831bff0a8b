import { describe, expect, it } from 'vitest';
import {
  ATTRIBUTE_NAME_PATTERN,
  ATTRIBUTE_VALUE_MAX,
  ATTRIBUTES_MAX,
  DEMO_SELLERS,
} from '@marketplace/contracts';
import { DEMO_CATEGORIES, DEMO_PRODUCTS, demoProductId } from './catalog.ts';
import { renderDemoImage } from './svg.ts';

describe('demo catalog', () => {
  it('when built, then slugs and ids are unique and ids are UUIDs', () => {
    expect(new Set(DEMO_PRODUCTS.map((p) => p.slug)).size).toBe(DEMO_PRODUCTS.length);
    expect(new Set(DEMO_PRODUCTS.map((p) => p.id)).size).toBe(DEMO_PRODUCTS.length);
    for (const product of DEMO_PRODUCTS) {
      expect(product.id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    }
    expect(demoProductId('x')).toBe(demoProductId('x'));
  });

  it('when built, then every product is sellable, spread over every seller and category', () => {
    expect(DEMO_PRODUCTS.length).toBeGreaterThanOrEqual(45);
    for (const product of DEMO_PRODUCTS) {
      expect(product.stock).toBeGreaterThanOrEqual(5);
      expect(product.stock).toBeLessThanOrEqual(100);
      expect(product.priceMinor).toBeGreaterThan(0);
      expect(product.image).toBe(`/demo/${product.slug}.webp`);
    }
    const sellers = new Set(DEMO_PRODUCTS.map((p) => p.sellerId));
    expect(sellers).toEqual(new Set(DEMO_SELLERS.map((s) => s.id)));
    const categories = new Set(DEMO_PRODUCTS.map((p) => p.categoryId));
    expect(categories).toEqual(new Set(DEMO_CATEGORIES.map((c) => c.id)));
  });

  it('when built, then every product has attributes the contract accepts, lower-case and short', () => {
    const name = new RegExp(ATTRIBUTE_NAME_PATTERN);
    for (const product of DEMO_PRODUCTS) {
      const entries = Object.entries(product.attributes ?? {});
      expect(entries.length, product.slug).toBeGreaterThan(0);
      expect(entries.length, product.slug).toBeLessThanOrEqual(ATTRIBUTES_MAX);
      for (const [key, value] of entries) {
        expect(key, product.slug).toMatch(name);
        expect(value, `${product.slug} ${key}`).toBe(value.trim().toLowerCase());
        expect(value.length, `${product.slug} ${key}`).toBeGreaterThan(0);
        expect(value.length, `${product.slug} ${key}`).toBeLessThanOrEqual(ATTRIBUTE_VALUE_MAX);
      }
    }
  });

  it('when built, then attribute names are shared widely enough to make useful facets', () => {
    const products = new Map<string, number>();
    const values = new Map<string, Set<string>>();
    for (const product of DEMO_PRODUCTS) {
      for (const [key, value] of Object.entries(product.attributes ?? {})) {
        products.set(key, (products.get(key) ?? 0) + 1);
        values.set(key, (values.get(key) ?? new Set()).add(value));
      }
    }
    const shared = [...products].filter(([, count]) => count >= 5).map(([key]) => key);
    expect(shared.length).toBeGreaterThanOrEqual(3);
    expect(shared).toEqual(
      expect.arrayContaining(['colour', 'material', 'connectivity', 'format']),
    );
    // A facet worth showing offers a choice: more than one value among the products it covers.
    for (const key of ['colour', 'material', 'connectivity', 'format']) {
      expect(values.get(key)?.size, key).toBeGreaterThanOrEqual(2);
    }
    const books = DEMO_PRODUCTS.filter((p) => p.category === 'books');
    expect(books.every((p) => p.attributes?.format !== undefined)).toBe(true);
  });

  it('when an image is rendered, then text is escaped and the file stays small', () => {
    const svg = renderDemoImage({
      slug: 's',
      title: 'A <b> & "c"',
      label: 'Cedar & Fig',
      glyph: 'candle',
    });
    expect(svg).toContain('aria-label="A &lt;b&gt; &amp; &quot;c&quot;"');
    expect(svg).toContain('>Cedar &amp; Fig</text>');
    expect(svg.length).toBeLessThan(2048);
  });
});
