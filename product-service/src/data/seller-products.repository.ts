import type { Kysely } from 'kysely';
import type { Product, ProductStatus } from '@marketplace/contracts';
import { forceIndex, paginate, type KeysetPage } from '@marketplace/db';
import { listingKeys } from './listing-keys.ts';
import { toProduct } from './product.mapper.ts';
import type { DB } from './schema.ts';

export interface SellerProductsFilter {
  sellerId: string;
  status: ProductStatus;
  /** Part of the title; matched in any case (the column's collation). */
  titlePart?: string | undefined;
}

/** `LIKE` treats `%`, `_` and the escape character as patterns: a seller's `50%` is literal. */
function likeContaining(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * A page of one seller's products of one status, newest first, read from MySQL (the search index
 * holds active products only). The seller's key (seller, status, created_at, id) yields the rows
 * in order, so a page reads its own rows plus those a title filter skips, within one seller.
 */
export async function listSellerProducts(
  db: Kysely<DB>,
  filter: SellerProductsFilter,
  page: { limit: number; cursor?: string | undefined },
): Promise<KeysetPage<Product>> {
  let query = db
    .withPlugin(forceIndex('products', 'ix_products_seller'))
    .selectFrom('products')
    .selectAll()
    .where('seller_id', '=', filter.sellerId)
    .where('status', '=', filter.status);
  if (filter.titlePart) query = query.where('title', 'like', likeContaining(filter.titlePart));
  const result = await paginate(query, {
    keys: listingKeys('newest'),
    limit: page.limit,
    cursor: page.cursor,
    // Bound to the status: a cursor of the active tab does not page the archived one.
    scope: `seller-${filter.status}`,
  });
  return { ...result, items: result.items.map((row) => toProduct(row)) };
}
