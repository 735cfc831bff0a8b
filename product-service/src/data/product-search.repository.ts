import { sql, type Kysely, type RawBuilder, type SqlBool } from 'kysely';
import type { Product } from '@marketplace/contracts';
import { paginate, type KeysetPage } from '@marketplace/db';
import type { ListingSort } from '../domain/product.model.ts';
import { booleanQuery } from './fulltext.ts';
import { listingKeys } from './listing-keys.ts';
import { toProduct } from './product.mapper.ts';
import type { DB } from './schema.ts';

export interface ProductFilter {
  terms: readonly string[];
  categoryIds?: readonly string[];
  sellerId?: string;
  minPrice?: number;
  maxPrice?: number;
  inStock?: boolean;
}

export interface SearchPage {
  sort: ListingSort;
  limit: number;
  /** The previous page's `nextCursor`. */
  cursor?: string | undefined;
}

function matchScore(against: string): RawBuilder<number> {
  return sql<number>`CAST(MATCH (title, description) AGAINST (${against} IN BOOLEAN MODE) * 1000000 AS SIGNED)`;
}

/**
 * Catalog listings: a page of active products matching `filter` (FULLTEXT words, filters) in the
 * order of `page.sort`, by keyset (never OFFSET). Throws InvalidCursorError for a cursor that is
 * malformed or of another sort.
 */
export async function searchProducts(
  db: Kysely<DB>,
  filter: ProductFilter,
  page: SearchPage,
): Promise<KeysetPage<Product>> {
  if (filter.categoryIds?.length === 0) return { items: [], nextCursor: null };
  const against = booleanQuery(filter.terms);
  const score = against ? matchScore(against) : sql<number>`0`;
  let query = db
    .selectFrom('products')
    .selectAll()
    .select(score.as('score'))
    .where('status', '=', 'active');
  if (against) {
    query = query.where(
      sql<SqlBool>`MATCH (title, description) AGAINST (${against} IN BOOLEAN MODE)`,
    );
  }
  if (filter.categoryIds) query = query.where('category_id', 'in', filter.categoryIds);
  if (filter.sellerId) query = query.where('seller_id', '=', filter.sellerId);
  if (filter.minPrice !== undefined) query = query.where('price_minor', '>=', filter.minPrice);
  if (filter.maxPrice !== undefined) query = query.where('price_minor', '<=', filter.maxPrice);
  if (filter.inStock) query = query.where('stock', '>', 0);
  const result = await paginate(query, {
    keys: listingKeys(page.sort, score),
    limit: page.limit,
    cursor: page.cursor,
    scope: page.sort,
  });
  return { ...result, items: result.items.map(({ score: _score, ...row }) => toProduct(row)) };
}
