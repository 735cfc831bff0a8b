import { describe, expect, it } from 'vitest';
import { encodeCursor } from '@marketplace/contracts';
import { decodeSortKey, encodeSortKey, type SortKey } from './search-cursor.ts';

const id = '0b9a4c1e-2f3d-4a5b-8c6d-7e8f9a0b1c2d';

describe('search cursors', () => {
  it.each<SortKey>([
    { sort: 'newest', createdAt: new Date('2025-01-15T18:00:00.123Z'), id },
    { sort: 'price_asc', priceMinor: 1999, id },
    { sort: 'price_desc', priceMinor: 0, id },
    { sort: 'relevance', score: 362476, id },
  ])('when a $sort key is encoded, then it decodes to the same key', (key) => {
    expect(decodeSortKey(encodeSortKey(key), key.sort)).toEqual(key);
  });

  it('when a cursor of one sort is used with another, then it is rejected', () => {
    const cursor = encodeSortKey({ sort: 'price_asc', priceMinor: 100, id });
    expect(decodeSortKey(cursor, 'price_desc')).toBeNull();
  });

  it.each([
    ['not base64 json', 'not-a-cursor'],
    ['a bad date', encodeCursor(['newest', 'yesterday', id])],
    ['a non-canonical date', encodeCursor(['newest', '2025-01-15', id])],
    ['a negative price', encodeCursor(['price_asc', -1, id])],
    ['a fractional score', encodeCursor(['relevance', 1.5, id])],
    ['a bad id', encodeCursor(['price_asc', 1, "x' OR 1=1"])],
    ['too few parts', encodeCursor(['price_asc', 1])],
  ])('when the cursor holds %s, then it is rejected', (_what, cursor) => {
    expect(decodeSortKey(cursor, 'newest')).toBeNull();
    expect(decodeSortKey(cursor, 'price_asc')).toBeNull();
    expect(decodeSortKey(cursor, 'relevance')).toBeNull();
  });
});
