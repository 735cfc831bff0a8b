import type { Selectable } from 'kysely';
import { decodeCursor, type ColumnPageKey, type CursorField } from '@marketplace/db';
import type { ListingSort } from '../domain/product.model.ts';
import type { DB, ProductsTable } from './schema.ts';

/** The sorts MySQL answers (relevance is the search index's). */
export type ColumnSort = Exclude<ListingSort, 'relevance'>;

type ListingKey = ColumnPageKey<DB, 'products', Selectable<ProductsTable>>;

const UUID = /^[0-9a-f-]{36}$/;
const isNonNegative = (value: number) => value >= 0;

const id = (direction: 'asc' | 'desc'): ListingKey => ({
  column: 'id',
  direction,
  type: 'string',
  accept: (value) => UUID.test(value),
});

/** The keyset order of each MySQL sort: its key, then the id to break ties. */
export function listingKeys(sort: ColumnSort): ListingKey[] {
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
  }
}

/**
 * What a cursor of `sort` holds: the sort key and the id. The index's cursors have the same
 * shape (a relevance cursor holds the integer score), so one check serves both.
 */
export function cursorFields(sort: ListingSort): CursorField[] {
  if (sort !== 'relevance') return listingKeys(sort);
  return [
    { type: 'integer', accept: isNonNegative },
    { type: 'string', accept: (value) => UUID.test(value) },
  ];
}

/**
 * The values of a cursor `sort` gave out; throws InvalidCursorError for any other. Cursors are
 * bound to their sort (the scope), so one of another sort is refused too.
 */
export function decodeListingCursor(sort: ListingSort, cursor: string) {
  return decodeCursor(cursor, cursorFields(sort), sort);
}
