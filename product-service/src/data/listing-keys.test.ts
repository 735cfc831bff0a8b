import { describe, expect, it } from 'vitest';
import { encodeCursor, InvalidCursorError, type CursorValue } from '@marketplace/db';
import type { ListingSort } from '../domain/product.model.ts';
import { decodeListingCursor } from './listing-keys.ts';

const id = '0b9a4c1e-2f3d-4a5b-8c6d-7e8f9a0b1c2d';

const rejects = (sort: ListingSort, cursor: string) => () => decodeListingCursor(sort, cursor);

describe('listing cursors', () => {
  it.each<[ListingSort, CursorValue[]]>([
    ['newest', [new Date('2025-01-15T18:00:00.123Z'), id]],
    ['price_asc', [1999, id]],
    ['price_desc', [0, id]],
    ['relevance', [362476, id]],
  ])('when a %s position is encoded, then it decodes to the same key', (sort, key) => {
    const cursor = encodeCursor(key, sort);
    expect(decodeListingCursor(sort, cursor)).toEqual(key);
  });

  it('when a cursor of one sort is used with another, then it is rejected', () => {
    const cursor = encodeCursor([100, id], 'price_asc');
    expect(rejects('price_desc', cursor)).toThrow(InvalidCursorError);
  });

  it.each([
    ['not base64 json', () => 'not-a-cursor'],
    ['a bad date', (sort: ListingSort) => encodeCursor(['yesterday', id], sort)],
    ['a non-canonical date', (sort: ListingSort) => encodeCursor(['2025-01-15', id], sort)],
    ['a negative price', (sort: ListingSort) => encodeCursor([-1, id], sort)],
    ['a fractional score', (sort: ListingSort) => encodeCursor([1.5, id], sort)],
    ['a bad id', (sort: ListingSort) => encodeCursor([1, "x' OR 1=1"], sort)],
    ['too few parts', (sort: ListingSort) => encodeCursor([1], sort)],
  ])('when the cursor holds %s, then it is rejected', (_what, cursorFor) => {
    expect(rejects('newest', cursorFor('newest'))).toThrow(InvalidCursorError);
    expect(rejects('price_asc', cursorFor('price_asc'))).toThrow(InvalidCursorError);
    expect(rejects('relevance', cursorFor('relevance'))).toThrow(InvalidCursorError);
  });
});
