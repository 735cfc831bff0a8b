import { decodeCursor, encodeCursor } from '@marketplace/contracts';

/** The sorts a listing is actually ordered by (relevance needs search words). */
export type ListingSort = 'relevance' | 'newest' | 'price_asc' | 'price_desc';

/** The position of a row in a listing: its sort key and, to break ties, its id. */
export type SortKey =
  | { sort: 'newest'; createdAt: Date; id: string }
  | { sort: 'price_asc' | 'price_desc'; priceMinor: number; id: string }
  | { sort: 'relevance'; score: number; id: string };

const ID = /^[0-9a-f-]{36}$/;

export function encodeSortKey(key: SortKey): string {
  switch (key.sort) {
    case 'newest':
      return encodeCursor([key.sort, key.createdAt.toISOString(), key.id]);
    case 'price_asc':
    case 'price_desc':
      return encodeCursor([key.sort, key.priceMinor, key.id]);
    case 'relevance':
      return encodeCursor([key.sort, key.score, key.id]);
  }
}

/** The key inside `cursor`, or null when it is malformed or was made for another sort. */
export function decodeSortKey(cursor: string, sort: ListingSort): SortKey | null {
  const parts = decodeCursor(cursor, 3);
  if (!parts) return null;
  const [tag, value, id] = parts;
  if (tag !== sort || typeof id !== 'string' || !ID.test(id)) return null;
  switch (sort) {
    case 'newest': {
      if (typeof value !== 'string') return null;
      const createdAt = new Date(value);
      if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== value) return null;
      return { sort, createdAt, id };
    }
    case 'price_asc':
    case 'price_desc':
      return isNonNegativeInteger(value) ? { sort, priceMinor: value, id } : null;
    case 'relevance':
      return isNonNegativeInteger(value) ? { sort, score: value, id } : null;
  }
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
