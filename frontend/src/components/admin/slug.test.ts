import { describe, expect, it } from 'vitest';
import { SLUG_PATTERN, slugify } from './slug.ts';

describe('slugify', () => {
  it('when a name has spaces and signs, then the slug has single hyphens between words', () => {
    expect(slugify('Home & Kitchen')).toBe('home-kitchen');
    expect(slugify('  Computers -- Accessories! ')).toBe('computers-accessories');
  });

  it('when a name is Russian or accented, then the slug is its Latin spelling', () => {
    expect(slugify('Книги и журналы')).toBe('knigi-i-zhurnaly');
    expect(slugify('Café Crème')).toBe('cafe-creme');
  });

  it('when a name is long, then the slug is at most 100 characters and still valid', () => {
    const slug = slugify('word '.repeat(40));
    expect(slug.length).toBeLessThanOrEqual(100);
    expect(slug).toMatch(SLUG_PATTERN);
  });

  it('when a name has no letters or digits, then no slug is suggested', () => {
    expect(slugify('!!!')).toBe('');
  });
});
