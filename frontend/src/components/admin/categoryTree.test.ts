import type { Category } from '@marketplace/contracts';
import { describe, expect, it } from 'vitest';
import { findPlaced, flattenTree, subtreeIds } from './categoryTree.ts';

const node = (id: string, children: Category[] = []): Category => ({
  id,
  slug: id,
  name: id.toUpperCase(),
  productCount: 0,
  children,
});

const tree = [node('a', [node('a1', [node('a1x')]), node('a2')]), node('b')];

describe('the category tree helpers', () => {
  it('when the tree is flattened, then parents come before children, with depth and parent', () => {
    expect(flattenTree(tree).map((p) => [p.node.id, p.depth, p.parentId])).toEqual([
      ['a', 0, null],
      ['a1', 1, 'a'],
      ['a1x', 2, 'a1'],
      ['a2', 1, 'a'],
      ['b', 0, null],
    ]);
  });

  it('when a subtree is asked for, then it holds the category and everything below it', () => {
    expect([...subtreeIds(tree[0] as Category)].sort()).toEqual(['a', 'a1', 'a1x', 'a2']);
    expect(findPlaced(tree, 'a1x')?.parentId).toBe('a1');
    expect(findPlaced(tree, 'zz')).toBeUndefined();
  });
});
