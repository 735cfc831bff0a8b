import type { CursorValue } from '@marketplace/db';

export type IndexSort = 'relevance' | 'newest' | 'price_asc' | 'price_desc';

/**
 * A sort as the (number, id) pair of every item: createdAt ms, price or score, then the id.
 * Ids are unique, so no two items tie.
 */
export interface Order {
  readonly sort: IndexSort;
  readonly primaryDescending: boolean;
  readonly idDescending: boolean;
}

export const ORDERS: Readonly<Record<IndexSort, Order>> = {
  newest: { sort: 'newest', primaryDescending: true, idDescending: true },
  price_asc: { sort: 'price_asc', primaryDescending: false, idDescending: false },
  price_desc: { sort: 'price_desc', primaryDescending: true, idDescending: true },
  relevance: { sort: 'relevance', primaryDescending: true, idDescending: false },
};

/**
 * The first 7 characters of an id as a number, in the same order as the ids (characters past
 * ASCII count as 127, so only equal keys need the strings compared): a uuid's first 7 hex digits
 * tell most ids apart, and comparing numbers is what makes ties on score or price cheap.
 */
export function idKey(id: string): number {
  let key = 0;
  for (let i = 0; i < 7; i++)
    key = key * 128 + (i < id.length ? Math.min(id.charCodeAt(i), 127) : 0);
  return key;
}

/** Ids in ascending order by their key, then (on equal keys) the strings: -1, 0 or 1. */
export function compareIds(ka: number, ia: string, kb: number, ib: string): number {
  if (ka !== kb) return ka < kb ? -1 : 1;
  return ia === ib ? 0 : ia < ib ? -1 : 1;
}

/** Whether item a (primary, id key, id) comes before item b in the order. */
export function before(
  order: Order,
  pa: number,
  ka: number,
  ia: string,
  pb: number,
  kb: number,
  ib: string,
): boolean {
  if (pa !== pb) return order.primaryDescending ? pa > pb : pa < pb;
  const ids = compareIds(ka, ia, kb, ib);
  return order.idDescending ? ids > 0 : ids < 0;
}

/** The `after` key of a page request as (number, id); newest carries a Date, the others numbers. */
export interface Key {
  primary: number;
  key: number;
  id: string;
}

export function decodeAfter(order: Order, after: readonly CursorValue[]): Key {
  const [primary, id] = after;
  if (after.length !== 2 || typeof id !== 'string')
    throw new TypeError(`${order.sort} key is [value, id]`);
  if (order.sort === 'newest') {
    if (!(primary instanceof Date)) throw new TypeError('newest key starts with a Date');
    return { primary: primary.getTime(), key: idKey(id), id };
  }
  if (typeof primary !== 'number') throw new TypeError(`${order.sort} key starts with a number`);
  return { primary, key: idKey(id), id };
}

export function encodeKey(order: Order, primary: number, id: string): CursorValue[] {
  return [order.sort === 'newest' ? new Date(primary) : primary, id];
}

/**
 * The first `k` items in an order out of any number offered: a heap whose root is the last item
 * kept, so most offers cost one comparison with it.
 */
export class TopK {
  private readonly docs: Int32Array;
  private readonly primaries: Float64Array;
  private size = 0;

  constructor(
    private readonly order: Order,
    private readonly k: number,
    private readonly ids: readonly string[],
    private readonly keys: Float64Array,
  ) {
    this.docs = new Int32Array(k);
    this.primaries = new Float64Array(k);
  }

  offer(doc: number, primary: number): void {
    if (this.size < this.k) {
      this.siftUp(doc, primary);
      return;
    }
    if (this.precedes(primary, doc, this.primaries[0] as number, this.docs[0] as number)) {
      this.siftDown(doc, primary);
    }
  }

  /** Kept items in order, as document numbers and primaries. */
  sorted(): { docs: number[]; primaries: number[] } {
    const items = Array.from({ length: this.size }, (_, i) => ({
      doc: this.docs[i] as number,
      primary: this.primaries[i] as number,
    }));
    items.sort((a, b) => (this.precedes(a.primary, a.doc, b.primary, b.doc) ? -1 : 1));
    return { docs: items.map((item) => item.doc), primaries: items.map((item) => item.primary) };
  }

  private precedes(pa: number, a: number, pb: number, b: number): boolean {
    const { order, keys, ids } = this;
    return before(
      order,
      pa,
      keys[a] as number,
      ids[a] as string,
      pb,
      keys[b] as number,
      ids[b] as string,
    );
  }

  private siftUp(doc: number, primary: number): void {
    const { docs, primaries } = this;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.precedes(primaries[parent] as number, docs[parent] as number, primary, doc)) break;
      docs[i] = docs[parent] as number;
      primaries[i] = primaries[parent] as number;
      i = parent;
    }
    docs[i] = doc;
    primaries[i] = primary;
  }

  /** Replaces the root (the last kept) with a new item and restores the heap. */
  private siftDown(doc: number, primary: number): void {
    const { docs, primaries, size } = this;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      const right = child + 1;
      if (
        right < size &&
        this.precedes(
          primaries[child] as number,
          docs[child] as number,
          primaries[right] as number,
          docs[right] as number,
        )
      ) {
        child = right;
      }
      if (!this.precedes(primary, doc, primaries[child] as number, docs[child] as number)) break;
      docs[i] = docs[child] as number;
      primaries[i] = primaries[child] as number;
      i = child;
    }
    docs[i] = doc;
    primaries[i] = primary;
  }
}
