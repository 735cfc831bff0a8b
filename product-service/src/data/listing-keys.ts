import { sql, type Expression, type Selectable } from 'kysely';
import { decodeCursor, type PageKey } from '@marketplace/db';
import type { ListingSort } from '../domain/product.model.ts';
import type { DB, ProductsTable } from './schema.ts';

/** A row of a listing: the product and its FULLTEXT score (0 without search words). */
export type ListingRow = Selectable<ProductsTable> & { score: number };

type ListingKey = PageKey<DB, 'products', ListingRow>;

const UUID = /^[0-9a-f-]{36}$/;
const isNonNegative = (value: number) => value >= 0;

const id = (direction: 'asc' | 'desc'): ListingKey => ({
  column: 'id',
  direction,
  type: 'string',
  accept: (value) => UUID.test(value),
});

/**
 * The keyset order of each sort: its key, then the id to break ties. `score` is the relevance
 * expression, scaled to an integer so that cursors compare it exactly.
 */
export function listingKeys(sort: ListingSort, score: Expression<number>): ListingKey[] {
  switch (sort) {
    case 'newest':
      return [{ column: 'created_at', direction: 'desc', type: 'date' }, id('desc')];
    case 'price_asc':
      return [
        { column: 'price_minor', direction: 'asc', type: 'integer', accept: isNonNegative },
        id('asc'),
      ];
    case 'price_desc':
      return [
        { column: 'price_minor', direction: 'desc', type: 'integer', accept: isNonNegative },
        id('desc'),
      ];
    case 'relevance':
      return [
        {
          expression: score,
          value: (row) => row.score,
          direction: 'desc',
          type: 'integer',
          accept: isNonNegative,
        },
        id('asc'),
      ];
  }
}

/**
 * Throws InvalidCursorError unless `cursor` is one a listing of `sort` gave out. Cursors are
 * bound to their sort (the scope), so one of another sort is refused too.
 */
export function checkListingCursor(sort: ListingSort, cursor: string): void {
  decodeCursor(cursor, cursorFields(sort), sort);
}

/** What a cursor of `sort` holds, for decoding one. */
export function cursorFields(sort: ListingSort): ListingKey[] {
  return listingKeys(sort, sql<number>`0`);
}
