import type { ProductBody, ProductSort, Role } from '@marketplace/contracts';

/** Who is asking; the verified access-token claims fit this shape. */
export interface Actor {
  userId: string;
  role: Role;
  /** The caller's display name, absent from tokens issued before the claim existed. */
  name?: string;
}

/** The contract's bound on stock, which an adjustment must not cross either. */
export const MAX_STOCK = 1_000_000;

/** The width of the `seller_name` column. */
const SELLER_NAME_MAX = 120;

/** A display name fit for storing as a seller's; undefined when there is none. */
export function sellerNameOf(name: string | undefined): string | undefined {
  const trimmed = name?.trim().slice(0, SELLER_NAME_MAX);
  return trimmed ? trimmed : undefined;
}

/** A listing about to be stored: the seller's body plus what the service decides. */
export interface NewProduct extends ProductBody {
  id: string;
  sellerId: string;
  /** '' when the seller's token carries no name. */
  sellerName: string;
  now: Date;
}

/** The sorts a listing is actually ordered by (relevance needs search words). */
export type ListingSort = ProductSort;

/** A category as stored: the tree is built from each one's parent and position. */
export type { CategoryRecord } from '@marketplace/contracts';
