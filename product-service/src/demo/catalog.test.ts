import { describe, expect, it } from 'vitest';
import { DEMO_SELLERS } from '@marketplace/contracts';
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
      expect(product.image).toBe(`/demo/${product.slug}.svg`);
    }
    const sellers = new Set(DEMO_PRODUCTS.map((p) => p.sellerId));
    expect(sellers).toEqual(new Set(DEMO_SELLERS.map((s) => s.id)));
    const categories = new Set(DEMO_PRODUCTS.map((p) => p.categoryId));
    expect(categories).toEqual(new Set(DEMO_CATEGORIES.map((c) => c.id)));
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
