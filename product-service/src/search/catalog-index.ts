import type { CursorValue } from '@marketplace/db';
import { ACTIVE, ARCHIVED, Columns, Interner, PAIR_SLOTS, textHash } from './columns.ts';
import { ORDERS, TopK, before, idKey, decodeAfter, encodeKey, type IndexSort } from './keyset.ts';
import { CompiledFilter, type Filters } from './filter.ts';
import { TextIndex } from './text-index.ts';

export type { IndexSort } from './keyset.ts';

export interface IndexedProduct {
  id: string;
  sellerId: string;
  categoryId: string;
  title: string;
  description: string;
  priceMinor: number;
  stock: number;
  status: 'active' | 'archived';
  /** Millisecond precision (MySQL DATETIME(3)). */
  createdAt: Date;
  /** Grows with every change of the row; an older version never overwrites a newer one. */
  version: number;
  attributes: Readonly<Record<string, string>>;
}

/** The words of a query and its filters (filter.ts Filters: categories, seller, price, stock, attributes). */
export interface IndexFilter extends Filters {
  /** Normalised words (domain/search-terms.ts); the LAST one is a prefix. Empty = no text condition. */
  terms: readonly string[];
}

export interface IndexPageRequest {
  sort: IndexSort;
  limit: number;
  /** The key of the last item of the previous page. */
  after?: readonly CursorValue[];
}

export interface IndexPage {
  ids: string[];
  /** The key of the last returned item when more follow, else null. */
  nextKey: CursorValue[] | null;
}

export interface PriceBand {
  minMinor: number;
  maxMinor: number | null;
  count: number;
}

export interface IndexFacets {
  categories: { id: string; count: number }[];
  priceBands: PriceBand[];
  attributes: Record<string, { value: string; count: number }[]>;
}

export interface CatalogIndex {
  upsert(product: IndexedProduct): void;
  remove(id: string): void;
  has(id: string): boolean;
  versionOf(id: string): number | undefined;
  readonly size: number;
  search(filter: IndexFilter, page: IndexPageRequest): IndexPage;
  facets(filter: IndexFilter): IndexFacets;
  activeCountByCategory(): ReadonlyMap<string, number>;
  activeCountBySeller(sellerId: string): number;
}

/** Lower bounds of the fixed price bands (minor units); each band ends below the next one. */
export const PRICE_BAND_STARTS = [0, 1000, 2500, 5000, 10000, 25000, 50000, 100000] as const;
const TOP_ATTRIBUTE_VALUES = 20;

function priceBand(price: number): number {
  let band = 0;
  while (band + 1 < PRICE_BAND_STARTS.length && price >= (PRICE_BAND_STARTS[band + 1] as number))
    band++;
  return band;
}

function bump(counts: Int32Array, at: number): void {
  counts[at] = (counts[at] as number) + 1;
}

class InProcessCatalogIndex implements CatalogIndex {
  private readonly rows = new Columns();
  private readonly text = new TextIndex();
  private readonly docsById = new Map<string, number>();
  private readonly categories = new Interner();
  private readonly sellers = new Interner();
  private readonly attributeKeys = new Interner();
  /** "key\0value" of every attribute pair; pairKey gives the pair's interned key. */
  private readonly pairs = new Interner();
  private readonly pairKey: number[] = [];
  private readonly activeByCategory: number[] = [];
  private readonly activeBySeller: number[] = [];
  private scratch = new Int32Array(0);
  private zeroScores = new Int32Array(0);

  get size(): number {
    return this.docsById.size;
  }

  has(id: string): boolean {
    return this.docsById.has(id);
  }

  versionOf(id: string): number | undefined {
    const doc = this.docsById.get(id);
    return doc === undefined ? undefined : this.rows.version[doc];
  }

  upsert(product: IndexedProduct): void {
    const rows = this.rows;
    let doc = this.docsById.get(product.id);
    if (doc !== undefined) {
      if (product.version < (rows.version[doc] as number)) return;
      this.count(doc, -1);
    } else {
      doc = rows.allocate();
      this.docsById.set(product.id, doc);
      rows.ids[doc] = product.id;
      rows.idKey[doc] = idKey(product.id);
      rows.titleHash[doc] = -1;
      rows.descriptionHash[doc] = -1;
    }
    rows.status[doc] = product.status === 'active' ? ACTIVE : ARCHIVED;
    rows.price[doc] = product.priceMinor;
    rows.stock[doc] = product.stock;
    rows.created[doc] = product.createdAt.getTime();
    rows.version[doc] = product.version;
    rows.category[doc] = this.categories.intern(product.categoryId);
    rows.seller[doc] = this.sellers.intern(product.sellerId);
    const pairs = this.internAttributes(product.attributes);
    rows.attributes[doc] = pairs;
    rows.pairSlots.fill(-1, doc * PAIR_SLOTS, (doc + 1) * PAIR_SLOTS);
    if (pairs) rows.pairSlots.set(pairs.subarray(0, PAIR_SLOTS), doc * PAIR_SLOTS);
    rows.band[doc] = priceBand(product.priceMinor);
    // Stock and price change at order rate; the words only when the text does.
    const titleHash = textHash(product.title);
    if (titleHash !== rows.titleHash[doc]) {
      this.text.setTitle(doc, product.title);
      rows.titleHash[doc] = titleHash;
    }
    const descriptionHash = textHash(product.description);
    if (descriptionHash !== rows.descriptionHash[doc]) {
      this.text.setDescription(doc, product.description);
      rows.descriptionHash[doc] = descriptionHash;
    }
    this.count(doc, 1);
  }

  remove(id: string): void {
    const doc = this.docsById.get(id);
    if (doc === undefined) return;
    this.count(doc, -1);
    this.text.remove(doc);
    this.docsById.delete(id);
    this.rows.release(doc);
  }

  search(filter: IndexFilter, page: IndexPageRequest): IndexPage {
    if (!Number.isInteger(page.limit) || page.limit < 1)
      throw new RangeError('limit is a positive integer');
    const order = ORDERS[page.sort];
    if (order.sort === 'relevance' && filter.terms.length === 0) {
      throw new RangeError('relevance needs search terms');
    }
    const rows = this.rows;
    const after = page.after ? decodeAfter(order, page.after) : null;
    const top = new TopK(order, page.limit + 1, rows.ids, rows.idKey);
    const { count, docs: matched, scores } = this.matching(filter);
    const column =
      order.sort === 'newest' ? rows.created : order.sort === 'relevance' ? null : rows.price;
    for (let i = 0; i < count; i++) {
      const doc = matched[i] as number;
      const primary = column === null ? (scores[i] as number) : (column[doc] as number);
      if (
        after !== null &&
        !before(
          order,
          after.primary,
          after.key,
          after.id,
          primary,
          rows.idKey[doc] as number,
          rows.ids[doc] as string,
        )
      ) {
        continue;
      }
      top.offer(doc, primary);
    }
    const { docs, primaries } = top.sorted();
    const more = docs.length > page.limit;
    const kept = more ? docs.slice(0, page.limit) : docs;
    const last = kept.length - 1;
    return {
      ids: kept.map((doc) => rows.ids[doc] as string),
      nextKey: more
        ? encodeKey(order, primaries[last] as number, rows.ids[kept[last] as number] as string)
        : null,
    };
  }

  facets(filter: IndexFilter): IndexFacets {
    const rows = this.rows;
    const byCategory = new Int32Array(this.categories.size);
    const byBand = new Int32Array(PRICE_BAND_STARTS.length);
    const byPair = new Int32Array(this.pairs.size);
    const { count, docs } = this.matching(filter);
    const { category, band, pairSlots, attributes } = rows;
    for (let i = 0; i < count; i++) {
      const doc = docs[i] as number;
      bump(byCategory, category[doc] as number);
      bump(byBand, band[doc] as number);
      // Flat slots first; a product with more pairs than slots has the rest in its own array.
      const at = doc * PAIR_SLOTS;
      let j = 0;
      for (; j < PAIR_SLOTS; j++) {
        const pair = pairSlots[at + j] as number;
        if (pair < 0) break;
        bump(byPair, pair);
      }
      if (j === PAIR_SLOTS) {
        const own = attributes[doc] as Uint32Array;
        for (let k = PAIR_SLOTS; k < own.length; k++) bump(byPair, own[k] as number);
      }
    }
    return {
      categories: this.categoryFacet(byCategory),
      priceBands: this.priceBandFacet(byBand),
      attributes: this.attributeFacet(byPair),
    };
  }

  activeCountByCategory(): ReadonlyMap<string, number> {
    const counts = new Map<string, number>();
    this.activeByCategory.forEach((count, category) => {
      if (count > 0) counts.set(this.categories.values[category] as string, count);
    });
    return counts;
  }

  activeCountBySeller(sellerId: string): number {
    const seller = this.sellers.find(sellerId);
    return seller === undefined ? 0 : (this.activeBySeller[seller] ?? 0);
  }

  private count(doc: number, delta: 1 | -1): void {
    if (this.rows.status[doc] !== ACTIVE) return;
    const category = this.rows.category[doc] as number;
    const seller = this.rows.seller[doc] as number;
    this.activeByCategory[category] = (this.activeByCategory[category] ?? 0) + delta;
    this.activeBySeller[seller] = (this.activeBySeller[seller] ?? 0) + delta;
  }

  private internAttributes(attributes: Readonly<Record<string, string>>): Uint32Array | null {
    const keys = Object.keys(attributes);
    if (keys.length === 0) return null;
    const pairs = new Uint32Array(keys.length);
    keys.forEach((key, i) => {
      const pair = this.pairs.intern(`${key}\0${attributes[key] as string}`);
      if (pair === this.pairKey.length) this.pairKey.push(this.attributeKeys.intern(key));
      pairs[i] = pair;
    });
    return pairs.sort();
  }

  /**
   * Active products matching the whole filter, in the first `count` entries of `docs`, with their
   * text scores (all 0 without terms). The arrays are scratch space reused by the next query.
   */
  private matching(filter: IndexFilter): { count: number; docs: Int32Array; scores: Int32Array } {
    const rows = this.rows;
    const accepted = new CompiledFilter(rows, filter, {
      categories: this.categories,
      sellers: this.sellers,
      pairs: this.pairs,
    });
    if (accepted.none) return { count: 0, docs: this.scratch, scores: this.scratch };
    if (filter.terms.length === 0) {
      if (this.scratch.length < rows.capacity) this.scratch = new Int32Array(rows.capacity);
      const docs = this.scratch;
      let count = 0;
      for (let doc = 0; doc < rows.end; doc++) if (accepted.accepts(doc)) docs[count++] = doc;
      return { count, docs, scores: this.zeros(count) };
    }
    const found = this.text.match(filter.terms, rows.end);
    const { docs, scores } = found;
    let count = 0;
    for (let i = 0; i < found.count; i++) {
      const doc = docs[i] as number;
      if (!accepted.accepts(doc)) continue;
      docs[count] = doc;
      scores[count] = scores[i] as number;
      count++;
    }
    return { count, docs, scores };
  }

  private zeros(count: number): Int32Array {
    if (this.zeroScores.length < count) this.zeroScores = new Int32Array(this.rows.capacity);
    return this.zeroScores;
  }

  private categoryFacet(byCategory: Int32Array): { id: string; count: number }[] {
    const found: { id: string; count: number }[] = [];
    byCategory.forEach((count, category) => {
      if (count > 0) found.push({ id: this.categories.values[category] as string, count });
    });
    return found.sort((a, b) => b.count - a.count || (a.id < b.id ? -1 : 1));
  }

  private priceBandFacet(byBand: Int32Array): PriceBand[] {
    const bands: PriceBand[] = [];
    byBand.forEach((count, band) => {
      if (count === 0) return;
      const next = PRICE_BAND_STARTS[band + 1];
      bands.push({
        minMinor: PRICE_BAND_STARTS[band] as number,
        maxMinor: next === undefined ? null : next - 1,
        count,
      });
    });
    return bands;
  }

  private attributeFacet(byPair: Int32Array): IndexFacets['attributes'] {
    const byKey = new Map<string, { value: string; count: number }[]>();
    byPair.forEach((count, pair) => {
      if (count === 0) return;
      const key = this.attributeKeys.values[this.pairKey[pair] as number] as string;
      const value = (this.pairs.values[pair] as string).slice(key.length + 1);
      let values = byKey.get(key);
      if (!values) byKey.set(key, (values = []));
      values.push({ value, count });
    });
    const facets: IndexFacets['attributes'] = {};
    for (const key of [...byKey.keys()].sort()) {
      const values = byKey.get(key) as { value: string; count: number }[];
      values.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
      facets[key] = values.slice(0, TOP_ATTRIBUTE_VALUES);
    }
    return facets;
  }
}

/** The catalog's search read model: ids of active products by words, filters and sort, and facets. */
export function createCatalogIndex(): CatalogIndex {
  return new InProcessCatalogIndex();
}
