import type { Category, CategoryTree } from '@marketplace/contracts';

/** A node of the tree with where it hangs: the public tree has no parent ids of its own. */
export interface PlacedCategory {
  node: Category;
  depth: number;
  parentId: string | null;
}

/** Every category, depth first in the tree's order (parents before their children). */
export function flattenTree(
  tree: readonly Category[],
  depth = 0,
  parentId: string | null = null,
): PlacedCategory[] {
  return tree.flatMap((node) => [
    { node, depth, parentId },
    ...flattenTree(node.children, depth + 1, node.id),
  ]);
}

/** The ids of a category and of every category below it. */
export function subtreeIds(node: Category): Set<string> {
  return new Set(flattenTree([node]).map((placed) => placed.node.id));
}

export function findPlaced(tree: CategoryTree, id: string): PlacedCategory | undefined {
  return flattenTree(tree).find((placed) => placed.node.id === id);
}
