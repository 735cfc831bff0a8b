import type { ProductSort, Role } from '@marketplace/contracts';

/** Who is asking; the verified access-token claims fit this shape. */
export interface Actor {
  userId: string;
  role: Role;
  /** The caller's display name, absent from tokens issued before the claim existed. */
  name?: string;
}

/** The sorts a listing is actually ordered by (relevance needs search words). */
export type ListingSort = ProductSort;

/** A category as stored: the tree is built from each one's parent and position. */
export interface CategoryRecord {
  id: string;
  parentId: string | null;
  slug: string;
  name: string;
  position: number;
}
