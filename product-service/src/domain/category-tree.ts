import type { Category } from '@marketplace/contracts';
import type { CategoryRecord } from './product.model.ts';

function byPosition(a: CategoryRecord, b: CategoryRecord): number {
  return a.position - b.position || a.name.localeCompare(b.name);
}

function childrenOf(categories: readonly CategoryRecord[]): Map<string | null, CategoryRecord[]> {
  const children = new Map<string | null, CategoryRecord[]>();
  for (const category of categories) {
    const siblings = children.get(category.parentId) ?? [];
    siblings.push(category);
    children.set(category.parentId, siblings);
  }
  return children;
}

/**
 * The categories as a forest, each level ordered by position, then name; each node's
 * productCount is its own active products (`counts`, by category id) plus its subtree's.
 */
export function buildCategoryTree(
  categories: readonly CategoryRecord[],
  counts: ReadonlyMap<string, number> = new Map(),
): Category[] {
  const children = childrenOf(categories);
  const build = (parentId: string | null, seen: Set<string>): Category[] =>
    (children.get(parentId) ?? [])
      .filter((category) => !seen.has(category.id))
      .sort(byPosition)
      .map((category) => {
        const below = build(category.id, new Set(seen).add(category.id));
        const own = counts.get(category.id) ?? 0;
        return {
          id: category.id,
          slug: category.slug,
          name: category.name,
          productCount: below.reduce((sum, child) => sum + child.productCount, own),
          children: below,
        };
      });
  return build(null, new Set());
}

/** The ids of the category named `slug` and of all its descendants; null for an unknown slug. */
export function categoryWithDescendants(
  categories: readonly CategoryRecord[],
  slug: string,
): string[] | null {
  const root = categories.find((category) => category.slug === slug);
  if (!root) return null;
  const children = childrenOf(categories);
  const ids = new Set<string>([root.id]);
  const queue = [root.id];
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    for (const child of children.get(id) ?? []) {
      if (ids.has(child.id)) continue;
      ids.add(child.id);
      queue.push(child.id);
    }
  }
  return [...ids];
}
