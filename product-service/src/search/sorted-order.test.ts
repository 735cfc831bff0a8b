import { describe, expect, it } from 'vitest';
import { ACTIVE, Columns } from './columns.ts';
import { idKey } from './keyset.ts';
import { SortedOrder, sortByKeys, type OrderKey } from './sorted-order.ts';

/** Before every entry of its primary: a walk from here starts at the primary's first item. */
const startOf = (primary: number): OrderKey => ({ primary, key: -Infinity, id: '' });

function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function compare(a: OrderKey, b: OrderKey): number {
  if (a.primary !== b.primary) return a.primary < b.primary ? -1 : 1;
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return a.id === b.id ? 0 : a.id < b.id ? -1 : 1;
}

describe('sortByKeys', () => {
  it.each([
    // Few distinct values, so ties on the primary occur; large ones use every 16-bit digit.
    ['integers (radix passes)', (next: () => number) => Math.floor(next() * 9) * 2 ** 37 + 5],
    ['fractions and negatives (comparator)', (next: () => number) => Math.floor(next() * 9) - 4.5],
  ])('when primaries are %s, then documents come in (primary, id key, id) order', (_, value) => {
    const next = rng(7);
    const n = 2000;
    const primary = new Float64Array(n);
    const keys = new Float64Array(n);
    const ids: string[] = [];
    for (let doc = 0; doc < n; doc++) {
      primary[doc] = value(next);
      // Shared id heads: ties on the id key occur too.
      ids.push(`${next() < 0.5 ? 'abcdefg' : Math.floor(next() * 1e6).toString(16)}-${doc}`);
      keys[doc] = idKey(ids[doc] as string);
    }
    const docs = Int32Array.from({ length: n }, (_, i) => n - 1 - i);
    const sorted = [...sortByKeys(docs, primary, keys, ids)];
    const key = (doc: number): OrderKey => ({
      primary: primary[doc] as number,
      key: keys[doc] as number,
      id: ids[doc] as string,
    });
    const expected = [...docs].sort((a, b) => compare(key(a), key(b)));
    expect(sorted).toEqual(expected);
  });
});

describe('SortedOrder', () => {
  it('when documents are added, moved and released between walks, then every walk from any key agrees with a sort', () => {
    const next = rng(11);
    const rows = new Columns();
    const order = new SortedOrder(rows, (r, doc) => r.price[doc] as number, 1 / 16);
    const live = new Set<number>();
    const add = (): void => {
      const doc = rows.allocate();
      rows.ids[doc] = `p${Math.floor(next() * 50)}-${doc}-${Math.floor(next() * 1e6)}`;
      rows.idKey[doc] = idKey(rows.ids[doc]);
      rows.status[doc] = ACTIVE;
      rows.price[doc] = Math.floor(next() * 20);
      order.attach(doc);
      live.add(doc);
    };
    for (let i = 0; i < 300; i++) add();
    const keyOf = (doc: number): OrderKey => ({
      primary: rows.price[doc] as number,
      key: rows.idKey[doc] as number,
      id: rows.ids[doc] as string,
    });
    for (let round = 0; round < 60; round++) {
      for (let w = 0; w < 10; w++) {
        const roll = next();
        const docs = [...live];
        const doc = docs[Math.floor(next() * docs.length)] as number;
        if (roll < 0.4) add();
        else if (roll < 0.8) {
          order.detach(doc);
          rows.price[doc] = Math.floor(next() * 20);
          order.attach(doc);
        } else {
          order.detach(doc);
          rows.release(doc);
          live.delete(doc);
        }
      }
      const expected = [...live].sort((a, b) => compare(keyOf(a), keyOf(b)));
      const walked = (after: OrderKey | null, descending: boolean): number[] => {
        const seen: number[] = [];
        order.walk(after, descending, (doc) => seen.push(doc) > 0);
        return seen;
      };
      expect(walked(null, false)).toEqual(expected);
      expect(walked(null, true)).toEqual([...expected].reverse());
      const pivot = expected[Math.floor(next() * expected.length)] as number;
      const at = expected.indexOf(pivot);
      expect(walked(keyOf(pivot), false)).toEqual(expected.slice(at + 1));
      expect(walked(keyOf(pivot), true)).toEqual(expected.slice(0, at).reverse());
      const price = Math.floor(next() * 20);
      expect(walked(startOf(price), false)).toEqual(
        expected.filter((doc) => (rows.price[doc] as number) >= price),
      );
    }
  });
});
