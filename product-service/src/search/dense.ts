import { FACET_ROW, ROW_END, ROW_ESCAPE, type Columns } from './columns.ts';
import type { CompiledFilter } from './filter.ts';
import { ORDERS, TopK, type Key } from './keyset.ts';
import type { OrderKey, SortedOrder } from './sorted-order.ts';
import { hasBit, popcount, type TextIndex } from './text-index.ts';

/*
 * Queries that match a large part of the catalog (a word in most descriptions, a short prefix, no
 * words at all) answered without collecting every match: a page is read from an order sorted by
 * its key, each document visited tested against the terms' bitsets and the filter, until the page
 * is full. The cost is the documents visited, about the page size divided by the share that
 * matches, so it does not grow with the catalog. Each walk has a budget: a filter that leaves
 * almost nothing would make it visit everything, so past the budget it gives up (returns null)
 * and the caller collects the matches instead.
 */

/** Whether a document holds every term (the last as a prefix), by the terms' bitsets. */
export class TermTest {
  private readonly title: Uint32Array[];
  private readonly description: Uint32Array[];

  constructor(text: TextIndex, terms: readonly string[], capacity: number) {
    const last = terms.length - 1;
    this.title = terms.map((t, i) => text.bits('title', t, i === last, capacity));
    this.description = terms.map((t, i) => text.bits('description', t, i === last, capacity));
  }

  has(doc: number): boolean {
    for (let i = 0; i < this.title.length; i++) {
      if (
        !hasBit(this.title[i] as Uint32Array, doc) &&
        !hasBit(this.description[i] as Uint32Array, doc)
      )
        return false;
    }
    return true;
  }

  /** 32 documents at once: bit b of the answer is document 32·word + b. */
  word(word: number): number {
    let all = -1;
    for (let i = 0; i < this.title.length; i++) {
      all &=
        ((this.title[i] as Uint32Array)[word] as number) |
        ((this.description[i] as Uint32Array)[word] as number);
    }
    return all;
  }
}

export interface Page {
  docs: number[];
  primaries: number[];
}

/**
 * Up to `want` documents after `after` in a column order (price or created), matching the terms
 * (none: every document) and the filter; null when the budget ran out first.
 */
export function walkPage(
  order: SortedOrder,
  descending: boolean,
  after: Key | null,
  terms: TermTest | null,
  within: Uint32Array | null,
  filter: CompiledFilter,
  want: number,
  budget: number,
  primaryOf: (doc: number) => number,
): Page | null {
  const page: Page = { docs: [], primaries: [] };
  let visits = 0;
  order.walk(after, descending, (doc) => {
    if (++visits > budget) return false;
    if (within !== null && !hasBit(within, doc)) return true;
    if (terms !== null && !terms.has(doc)) return true;
    if (!filter.accepts(doc)) return true;
    page.docs.push(doc);
    page.primaries.push(primaryOf(doc));
    return page.docs.length < want;
  });
  return visits > budget ? null : page;
}

/** Scores of a one-term query, highest first: 128 title, 2 description, 1 whole word. */
const TIERS = [131, 130, 129, 128, 3, 2] as const;

/**
 * Up to `want` documents of a one-term query by relevance (score, then id), after `after`.
 * A score is one of six tiers (title, description and whole-word bits); each tier is read in id
 * order, a sparse one straight off its bitset, a dense one by walking the id order.
 */
export function relevancePage(
  rows: Columns,
  text: TextIndex,
  byId: SortedOrder,
  term: string,
  after: Key | null,
  within: Uint32Array | null,
  filter: CompiledFilter,
  want: number,
  limits: {
    /** A tier with at most this many documents is read off its bitset rather than walked. */
    sparseTier: number;
    /** How many documents a walk through a tier of `count` may visit. */
    tierBudget: (count: number) => number;
  },
): Page {
  const { sparseTier: sparse, tierBudget } = limits;
  const capacity = rows.capacity;
  const title = text.bits('title', term, true, capacity);
  const description = text.bits('description', term, true, capacity);
  const titleWord = text.bits('title', term, false, capacity);
  const descriptionWord = text.bits('description', term, false, capacity);
  const words = Math.ceil(rows.end / 32);
  const tierWord = (tier: number, w: number): number => {
    const t = title[w] as number;
    const d = description[w] as number;
    const e = (titleWord[w] as number) | (descriptionWord[w] as number);
    const c = within === null ? -1 : (within[w] as number);
    return (tier >= 128 ? t : ~t) & (tier & 2 ? d : ~d) & (tier & 1 ? e : ~e) & c;
  };
  // How many documents each tier holds in the categories filtered on (archived ones too, and
  // before the other filters): one pass, the six tiers inline.
  let c131 = 0;
  let c130 = 0;
  let c129 = 0;
  let c128 = 0;
  let c3 = 0;
  let c2 = 0;
  for (let w = 0; w < words; w++) {
    const c = within === null ? -1 : (within[w] as number);
    const t = (title[w] as number) & c;
    const d = (description[w] as number) & c;
    if ((t | d) === 0) continue;
    const e = (titleWord[w] as number) | (descriptionWord[w] as number);
    const td = t & d;
    c131 += popcount(td & e);
    c130 += popcount(td & ~e);
    c129 += popcount(t & ~d & e);
    c128 += popcount(t & ~d & ~e);
    c3 += popcount(~t & d & e);
    c2 += popcount(~t & d & ~e);
  }
  const counts = new Map<number, number>([
    [131, c131],
    [130, c130],
    [129, c129],
    [128, c128],
    [3, c3],
    [2, c2],
  ]);
  const page: Page = { docs: [], primaries: [] };
  const { idKey, ids } = rows;
  for (const tier of TIERS) {
    if (page.docs.length >= want) break;
    if (after !== null && tier > after.primary) continue;
    const count = counts.get(tier) ?? 0;
    if (count === 0) continue;
    let from: OrderKey | null =
      after !== null && tier === after.primary
        ? { primary: 0, key: after.key, id: after.id }
        : null;
    let need = want - page.docs.length;
    const take = (doc: number): void => {
      page.docs.push(doc);
      page.primaries.push(tier);
      need--;
    };
    if (count > sparse) {
      // Walked in id order; a filter that leaves little of the tier would make the walk long,
      // so past its budget the rest is read off the bitset from where the walk stopped.
      const budget = tierBudget(count);
      let visits = 0;
      let last = -1;
      byId.walk(from, false, (doc) => {
        if (++visits > budget) return false;
        last = doc;
        if ((tierWord(tier, doc >>> 5) & (1 << (doc & 31))) === 0) return true;
        if (!filter.accepts(doc)) return true;
        take(doc);
        return need > 0;
      });
      if (visits <= budget || need === 0) continue;
      if (last >= 0) from = { primary: 0, key: idKey[last] as number, id: ids[last] as string };
    }
    for (const doc of sparseTier(rows, words, (w) => tierWord(tier, w), from, filter, need)) {
      take(doc);
    }
  }
  return page;
}

/** The first `need` documents of a sparse tier in id order, after `from`. */
function sparseTier(
  rows: Columns,
  words: number,
  tierWord: (w: number) => number,
  from: { key: number; id: string } | null,
  filter: CompiledFilter,
  need: number,
): number[] {
  const { idKey, ids } = rows;
  const afterFrom = (doc: number): boolean => {
    if (from === null) return true;
    const key = idKey[doc] as number;
    return key !== from.key ? key > from.key : (ids[doc] as string) > from.id;
  };
  // Every document of the tier has the same score: the first `need` by id are kept.
  const top = new TopK(ORDERS.relevance, need, ids, idKey);
  for (let w = 0; w < words; w++) {
    let x = tierWord(w);
    while (x !== 0) {
      const low = x & -x;
      x ^= low;
      const doc = w * 32 + (31 - Math.clz32(low));
      if (afterFrom(doc) && filter.accepts(doc)) top.offer(doc, 0);
    }
  }
  return top.sorted().docs;
}

/**
 * Facet counts of the products added (or, with sign -1, taken away): category, price band and
 * attribute pairs, read from each product's packed facet row. A class with a method rather than
 * a closure: V8 inlines `add` into the scan loops, which measured three times faster.
 */
export class FacetCounter {
  byCategory: Int32Array = new Int32Array(0);
  byBand: Int32Array = new Int32Array(0);
  byPair: Int32Array = new Int32Array(0);
  private sign: 1 | -1 = 1;

  constructor(private readonly rows: Columns) {}

  /**
   * Zero counts for a new query, the arrays kept when large enough (one counter serves every
   * query: fresh arrays per query are external memory, see text-index.ts TermBitsets). Entries
   * past the sizes stay 0, which the facet lists skip.
   */
  reset(sizes: { categories: number; bands: number; pairs: number }, sign: 1 | -1 = 1): this {
    const fresh = (old: Int32Array, n: number): Int32Array =>
      old.length >= n ? old.fill(0) : new Int32Array(Math.max(n, old.length * 2));
    this.byCategory = fresh(this.byCategory, sizes.categories);
    this.byBand = fresh(this.byBand, sizes.bands);
    this.byPair = fresh(this.byPair, sizes.pairs);
    this.sign = sign;
    return this;
  }

  add(doc: number): void {
    const { facetRow } = this.rows;
    const { byCategory, byBand, byPair, sign } = this;
    const row = doc * FACET_ROW;
    const c = facetRow[row] as number;
    if (c === ROW_ESCAPE) {
      this.addFromColumns(doc);
      return;
    }
    byCategory[c] = (byCategory[c] as number) + sign;
    const b = facetRow[row + 1] as number;
    byBand[b] = (byBand[b] as number) + sign;
    for (let j = 2; j < FACET_ROW; j++) {
      const pair = facetRow[row + j] as number;
      if (pair === ROW_END) break;
      byPair[pair] = (byPair[pair] as number) + sign;
    }
  }

  /** A product whose facets do not fit its row (more pairs than slots, or larger numbers). */
  private addFromColumns(doc: number): void {
    const { byCategory, byBand, byPair, sign, rows } = this;
    const c = rows.category[doc] as number;
    byCategory[c] = (byCategory[c] as number) + sign;
    const b = rows.band[doc] as number;
    byBand[b] = (byBand[b] as number) + sign;
    const own = rows.attributes[doc];
    if (!own) return;
    for (let k = 0; k < own.length; k++) {
      const pair = own[k] as number;
      byPair[pair] = (byPair[pair] as number) + sign;
    }
  }
}

/**
 * Counts matching documents in document order, skipping the words where terms and categories
 * leave no bit: the rows are read front to back. When most words hold a match, every bit is
 * tested in turn instead of jumping from set bit to set bit, which keeps the reads sequential
 * (measured twice as fast for a third of the catalog).
 */
export function tallyScan(
  rows: Columns,
  active: Uint32Array,
  terms: TermTest | null,
  within: Uint32Array | null,
  filter: CompiledFilter,
  counter: FacetCounter,
  dense: boolean,
): void {
  const words = Math.ceil(rows.end / 32);
  const perRow = filter.perRow;
  for (let w = 0; w < words; w++) {
    let x = active[w] as number;
    if (within !== null) x &= within[w] as number;
    if (terms !== null && x !== 0) x &= terms.word(w);
    if (x === 0) continue;
    const base = w << 5;
    if (dense) {
      for (let bit = 0; bit < 32; bit++) {
        if (((x >>> bit) & 1) === 0) continue;
        const doc = base | bit;
        if (!perRow || filter.accepts(doc)) counter.add(doc);
      }
      continue;
    }
    while (x !== 0) {
      const bit = 31 - Math.clz32(x);
      x &= ~(1 << bit);
      const doc = base | bit;
      if (!perRow || filter.accepts(doc)) counter.add(doc);
    }
  }
}

/**
 * Active documents (in the categories, when given) NOT holding the terms (the filter has
 * nothing else, or this would not be asked): facets of a query
 * matching most of the catalog are the running counts less these.
 */
export function tallyComplement(
  rows: Columns,
  active: Uint32Array,
  terms: TermTest,
  within: Uint32Array | null,
  counter: FacetCounter,
): void {
  const words = Math.ceil(rows.end / 32);
  for (let w = 0; w < words; w++) {
    let x = ~terms.word(w) & (active[w] as number);
    if (within !== null) x &= within[w] as number;
    while (x !== 0) {
      const bit = 31 - Math.clz32(x);
      x &= ~(1 << bit);
      counter.add((w << 5) | bit);
    }
  }
}

/** The documents among the first `end`, 32 at a time: word w of the set. */
function wordMask(end: number, w: number): number {
  const rest = end - w * 32;
  return rest >= 32 ? -1 : (1 << rest) - 1;
}

/** How many of the first `end` documents are in both sets (null: every document). */
export function countBoth(end: number, a: TermTest | null, b: Uint32Array | null): number {
  const words = Math.ceil(end / 32);
  let n = 0;
  for (let w = 0; w < words; w++) {
    let x = wordMask(end, w);
    if (b !== null) x &= b[w] as number;
    if (a !== null && x !== 0) x &= a.word(w);
    n += popcount(x);
  }
  return n;
}
