import {
  expressionBuilder,
  sql,
  type Expression,
  type Kysely,
  type RawBuilder,
  type SqlBool,
} from 'kysely';
import type { Product } from '../domain/product.ts';
import type { ListingSort, SortKey } from '../domain/search-cursor.ts';
import { booleanQuery } from './fulltext.ts';
import { toProduct } from './product.mapper.ts';
import type { ProductDb } from './schema.ts';

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
  after: SortKey | null;
  limit: number;
}

export interface SearchHit {
  product: Product;
  /** FULLTEXT relevance scaled to an integer, so cursors compare it exactly; 0 without words. */
  score: number;
}

type Direction = 'asc' | 'desc';

const eb = expressionBuilder<ProductDb, 'products'>();

function matchScore(against: string): RawBuilder<number> {
  return sql<number>`CAST(MATCH (title, description) AGAINST (${against} IN BOOLEAN MODE) * 1000000 AS SIGNED)`;
}

/** Rows strictly after `key` in the listing's order (sort key, then id). */
function after(key: SortKey, score: Expression<number>): Expression<SqlBool> {
  switch (key.sort) {
    case 'newest':
      return eb.or([
        eb('created_at', '<', key.createdAt),
        eb.and([eb('created_at', '=', key.createdAt), eb('id', '<', key.id)]),
      ]);
    case 'price_asc':
      return eb.or([
        eb('price_minor', '>', key.priceMinor),
        eb.and([eb('price_minor', '=', key.priceMinor), eb('id', '>', key.id)]),
      ]);
    case 'price_desc':
      return eb.or([
        eb('price_minor', '<', key.priceMinor),
        eb.and([eb('price_minor', '=', key.priceMinor), eb('id', '<', key.id)]),
      ]);
    case 'relevance':
      return eb.or([
        eb(score, '<', key.score),
        eb.and([eb(score, '=', key.score), eb('id', '>', key.id)]),
      ]);
  }
}

function ordering(
  sort: ListingSort,
  score: Expression<number>,
): [Expression<unknown>, Direction][] {
  switch (sort) {
    case 'newest':
      return [
        [eb.ref('created_at'), 'desc'],
        [eb.ref('id'), 'desc'],
      ];
    case 'price_asc':
      return [
        [eb.ref('price_minor'), 'asc'],
        [eb.ref('id'), 'asc'],
      ];
    case 'price_desc':
      return [
        [eb.ref('price_minor'), 'desc'],
        [eb.ref('id'), 'desc'],
      ];
    case 'relevance':
      return [
        [score, 'desc'],
        [eb.ref('id'), 'asc'],
      ];
  }
}

/** Catalog listings: active products only, FULLTEXT words, filters, keyset pages (never OFFSET). */
export class ProductSearchRepository {
  constructor(private readonly db: Kysely<ProductDb>) {}

  /** Up to `page.limit` hits after `page.after`, in the order of `page.sort`. */
  async search(filter: ProductFilter, page: SearchPage): Promise<SearchHit[]> {
    if (filter.categoryIds?.length === 0) return [];
    const against = booleanQuery(filter.terms);
    const score = against ? matchScore(against) : sql<number>`0`;
    let query = this.db
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
    if (page.after) query = query.where(after(page.after, score));
    for (const [expression, direction] of ordering(page.sort, score)) {
      query = query.orderBy(expression, direction);
    }
    const rows = await query.limit(page.limit).execute();
    return rows.map(({ score: rowScore, ...row }) => ({
      product: toProduct(row),
      score: Number(rowScore),
    }));
  }
}
