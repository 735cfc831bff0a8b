import { describe, expect, it } from 'vitest';
import { buildCategoryTree, categoryWithDescendants } from './category-tree.ts';
import type { CategoryRecord } from './product.model.ts';

const categories: CategoryRecord[] = [
  { id: 'c', parentId: 'a', slug: 'computers', name: 'Computers', position: 2 },
  { id: 'a', parentId: null, slug: 'electronics', name: 'Electronics', position: 1 },
  { id: 'b', parentId: 'a', slug: 'audio', name: 'Audio', position: 1 },
  { id: 'd', parentId: 'b', slug: 'headphones', name: 'Headphones', position: 1 },
  { id: 'e', parentId: null, slug: 'books', name: 'Books', position: 0 },
];

describe('category tree', () => {
  it('when categories are nested, then the tree nests them, ordered by position', () => {
    const counts = new Map([
      ['a', 1],
      ['b', 2],
      ['d', 4],
      ['e', 8],
    ]);
    expect(buildCategoryTree(categories, counts)).toEqual([
      { id: 'e', slug: 'books', name: 'Books', productCount: 8, children: [] },
      {
        id: 'a',
        slug: 'electronics',
        name: 'Electronics',
        // Its own products and every one below it.
        productCount: 7,
        children: [
          {
            id: 'b',
            slug: 'audio',
            name: 'Audio',
            productCount: 6,
            children: [
              { id: 'd', slug: 'headphones', name: 'Headphones', productCount: 4, children: [] },
            ],
          },
          { id: 'c', slug: 'computers', name: 'Computers', productCount: 0, children: [] },
        ],
      },
    ]);
  });

  it('when a slug is given, then it and every descendant are included', () => {
    expect(categoryWithDescendants(categories, 'electronics')?.sort()).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
    expect(categoryWithDescendants(categories, 'audio')?.sort()).toEqual(['b', 'd']);
    expect(categoryWithDescendants(categories, 'books')).toEqual(['e']);
  });

  it('when the slug is unknown, then there is no match', () => {
    expect(categoryWithDescendants(categories, 'garden')).toBeNull();
  });
});
