import type { Kysely, SelectQueryBuilder, Selectable } from 'kysely';
import type { Product } from '@marketplace/contracts';
import { forceIndex, paginateUnion, type KeysetPage } from '@marketplace/db';
import { listingKeys, type ColumnSort } from './listing-keys.ts';
import { toProduct } from './product.mapper.ts';
import type { DB, ProductsTable } from './schema.ts';

/** The filters of a listing without search words or attributes (those are the search index's). */
export interface ListingFilter {
  /** Any of these categories (a category and its sub-categories). */
  categoryIds?: readonly string[] | undefined;
  sellerId?: string | undefined;
  minPrice?: number | undefined;
  maxPrice?: number | undefined;
  inStock?: boolean | undefined;
}

export interface ListingPage {
  sort: ColumnSort;
  limit: number;
  cursor?: string | undefined;
}

type ProductQuery = SelectQueryBuilder<DB, 'products', Selectable<ProductsTable>>;

/**
 * The key a branch reads, in its sort's order: a seller's, else a category's, else the
 * catalog's. Named outright (FORCE INDEX): left to itself MariaDB reads a descending price
 * listing of whole rows by `status` alone, every active product (seconds at 1M).
 */
function listingKey(
  filter: ListingFilter,
  sort: ColumnSort,
  categoryId: string | undefined,
): string {
  const byPrice = sort !== 'newest';
  if (filter.sellerId) return byPrice ? 'ix_products_seller_price' : 'ix_products_seller';
  if (categoryId !== undefined) {
    return byPrice ? 'ix_products_category_price' : 'ix_products_category';
  }
  return byPrice ? 'ix_products_price' : 'ix_products_newest';
}

/**
 * The rows of one branch: active products of at most one category, with every other filter.
 * Each filter combination has a key that yields rows in the sort's order (see docs/catalog.md),
 * so a page reads about `limit` index entries, not every match.
 */
function branch(
  db: Kysely<DB>,
  filter: ListingFilter,
  sort: ColumnSort,
  categoryId?: string,
): ProductQuery {
  let query = db
    .withPlugin(forceIndex('products', listingKey(filter, sort, categoryId)))
    .selectFrom('products')
    .selectAll()
    .where('status', '=', 'active');
  if (categoryId !== undefined) query = query.where('category_id', '=', categoryId);
  if (filter.sellerId) query = query.where('seller_id', '=', filter.sellerId);
  if (filter.minPrice !== undefined) query = query.where('price_minor', '>=', filter.minPrice);
  if (filter.maxPrice !== undefined) query = query.where('price_minor', '<=', filter.maxPrice);
  if (filter.inStock) query = query.where('stock', '>', 0);
  return query;
}

/**
 * A page of active products matching `filter` in the order of `page.sort`, by keyset (never
 * OFFSET). A category subtree is one branch per category, merged. Throws InvalidCursorError for a
 * cursor that is malformed or of another sort.
 */
export async function listProducts(
  db: Kysely<DB>,
  filter: ListingFilter,
  page: ListingPage,
): Promise<KeysetPage<Product>> {
  const result = await paginateUnion(db, branches(db, filter, page.sort), {
    keys: listingKeys(page.sort),
    limit: page.limit,
    cursor: page.cursor,
    scope: page.sort,
  });
  return { ...result, items: result.items.map((row) => toProduct(row)) };
}

/** One branch per category of the filter, or one for the whole catalog. */
function branches(db: Kysely<DB>, filter: ListingFilter, sort: ColumnSort): ProductQuery[] {
  return filter.categoryIds
    ? filter.categoryIds.map((categoryId) => branch(db, filter, sort, categoryId))
    : [branch(db, filter, sort)];
}

/** The SQL of each branch of a listing's first page, for EXPLAIN in tests. */
export function listingBranchSql(
  db: Kysely<DB>,
  filter: ListingFilter,
  sort: ColumnSort,
): { sql: string; parameters: readonly unknown[] }[] {
  return branches(db, filter, sort).map((query) => {
    let ordered = query;
    for (const key of listingKeys(sort)) ordered = ordered.orderBy(key.column, key.direction);
    return ordered.limit(21).compile();
  });
}
