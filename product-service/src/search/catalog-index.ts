import type { CursorValue } from '@marketplace/db';
import {
  ACTIVE,
  ARCHIVED,
  Columns,
  FACET_ROW,
  Interner,
  PAIR_SLOTS,
  ROW_END,
  ROW_ESCAPE,
  textHash,
} from './columns.ts';
import {
  ORDERS,
  TopK,
  before,
  idKey,
  decodeAfter,
  encodeKey,
  type IndexSort,
  type Key,
  type Order,
} from './keyset.ts';
import { CompiledFilter, type Filters } from './filter.ts';
import { TextIndex } from './text-index.ts';
import { SortedOrder } from './sorted-order.ts';
import { DocBitsets } from './doc-bits.ts';
import {
  TermTest,
  relevancePage,
  countBoth,
  tallyComplement,
  tallyScan,
  walkPage,
  type Page,
  FacetCounter,
} from './dense.ts';

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
  /**
   * Sorts what a bulk load or many changes left unsorted (the orders of sorted-order.ts), so the
   * next query does not pay for it; searches do it themselves when needed.
   */
  prepare(): void;
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

export interface CatalogIndexOptions {
  /**
   * A text query is "dense" (answered by sorted walks, dense.ts) when its rarest term is in at
   * least this share of the documents…
   */
  denseShare?: number;
  /** …and in at least this many. */
  denseMin?: number;
  /** Documents a walk may visit before it gives up (default: half the rarest term's postings). */
  walkBudget?: number;
  /** A relevance tier with at most this many documents is read off its bitset (dense.ts). */
  sparseTier?: number;
  /** Term bitsets kept (text-index.ts TermBitsets), at least 2 × the terms of any query. */
  bitsetSlots?: number;
}

class InProcessCatalogIndex implements CatalogIndex {
  private readonly rows = new Columns();
  private readonly text: TextIndex;
  private readonly byPrice = new SortedOrder(this.rows, (r, doc) => r.price[doc] as number);
  private readonly byCreated = new SortedOrder(this.rows, (r, doc) => r.created[doc] as number);
  private readonly byId = new SortedOrder(this.rows, () => 0);
  private readonly orders = [this.byPrice, this.byCreated, this.byId];
  /** The documents of each category (archived ones too). */
  private readonly inCategory = new DocBitsets();
  /** Set 0: the active documents. */
  private readonly active = new DocBitsets();
  /**
   * Per category: its active products per price band and per attribute pair, kept as products
   * change (a category's facets without words, and its product count: the sum of its bands).
   */
  private readonly activeBands: Int32Array[] = [];
  private readonly activePairs: Int32Array[] = [];
  private readonly denseShare: number;
  private readonly denseMin: number;
  private readonly walkBudget: number | undefined;
  private readonly sparseTier: number;
  private readonly docsById = new Map<string, number>();
  private readonly categories = new Interner();
  private readonly sellers = new Interner();
  private readonly attributeKeys = new Interner();
  /** "key\0value" of every attribute pair; pairKey gives the pair's interned key. */
  private readonly pairs = new Interner();
  private readonly pairKey: number[] = [];
  private readonly activeBySeller: number[] = [];
  private scratch = new Int32Array(0);
  /** Reused by categoryBits and denseFacets (doc-bits.ts union). */
  private categoryScratch: Uint32Array = new Uint32Array(0);
  private activeScratch: Uint32Array = new Uint32Array(0);
  private readonly counter = new FacetCounter(this.rows);
  private zeroScores = new Int32Array(0);

  constructor(options: CatalogIndexOptions) {
    this.text = new TextIndex(options.bitsetSlots);
    this.denseShare = options.denseShare ?? 1 / 64;
    this.denseMin = options.denseMin ?? 4096;
    this.walkBudget = options.walkBudget;
    this.sparseTier = options.sparseTier ?? 4096;
  }

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
    const category = this.categories.intern(product.categoryId);
    const created = product.createdAt.getTime();
    // The sorted orders whose key of this product changes (all of them for a new one).
    let moved: SortedOrder[];
    if (doc !== undefined) {
      if (product.version < (rows.version[doc] as number)) return;
      this.count(doc, -1);
      moved = [];
      if (rows.price[doc] !== product.priceMinor) moved.push(this.byPrice);
      if (rows.created[doc] !== created) moved.push(this.byCreated);
      for (const order of moved) order.detach(doc);
      this.inCategory.delete(rows.category[doc] as number, doc);
    } else {
      doc = rows.allocate();
      this.docsById.set(product.id, doc);
      rows.ids[doc] = product.id;
      rows.idKey[doc] = idKey(product.id);
      rows.titleHash[doc] = -1;
      rows.descriptionHash[doc] = -1;
      moved = this.orders;
    }
    rows.status[doc] = product.status === 'active' ? ACTIVE : ARCHIVED;
    rows.price[doc] = product.priceMinor;
    rows.stock[doc] = product.stock;
    rows.created[doc] = created;
    rows.version[doc] = product.version;
    rows.category[doc] = category;
    this.inCategory.add(category, doc);
    rows.seller[doc] = this.sellers.intern(product.sellerId);
    const pairs = this.internAttributes(product.attributes);
    rows.attributes[doc] = pairs;
    rows.band[doc] = priceBand(product.priceMinor);
    const row = doc * FACET_ROW;
    rows.facetRow.fill(ROW_END, row, row + FACET_ROW);
    const fits =
      category < ROW_ESCAPE &&
      (!pairs || (pairs.length <= PAIR_SLOTS && pairs.every((pair) => pair < ROW_ESCAPE)));
    rows.facetRow[row] = fits ? category : ROW_ESCAPE;
    rows.facetRow[row + 1] = rows.band[doc] as number;
    if (fits && pairs) rows.facetRow.set(pairs, row + 2);
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
    for (const order of moved) order.attach(doc);
    if (rows.status[doc] === ACTIVE) this.active.add(0, doc);
    else this.active.delete(0, doc);
    this.count(doc, 1);
  }

  remove(id: string): void {
    const doc = this.docsById.get(id);
    if (doc === undefined) return;
    this.count(doc, -1);
    for (const order of this.orders) order.detach(doc);
    this.inCategory.delete(this.rows.category[doc] as number, doc);
    this.active.delete(0, doc);
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
    const after = page.after ? decodeAfter(order, page.after) : null;
    const found =
      this.densePage(filter, order, after, page.limit + 1) ??
      this.collectedPage(filter, order, after, page.limit + 1);
    const more = found.docs.length > page.limit;
    const kept = more ? found.docs.slice(0, page.limit) : found.docs;
    const last = kept.length - 1;
    const ids = this.rows.ids;
    return {
      ids: kept.map((doc) => ids[doc] as string),
      nextKey: more
        ? encodeKey(order, found.primaries[last] as number, ids[kept[last] as number] as string)
        : null,
    };
  }

  facets(filter: IndexFilter): IndexFacets {
    const counts = this.denseFacets(filter) ?? this.collectedFacets(filter);
    return {
      categories: this.categoryFacet(counts.byCategory),
      priceBands: this.priceBandFacet(counts.byBand),
      attributes: this.attributeFacet(counts.byPair),
    };
  }

  prepare(): void {
    for (const order of this.orders) if (!order.isBuilt) order.rebuild();
  }

  activeCountByCategory(): ReadonlyMap<string, number> {
    const counts = new Map<string, number>();
    this.activeBands.forEach((_, category) => {
      const count = this.activeIn(category);
      if (count > 0) counts.set(this.categories.values[category] as string, count);
    });
    return counts;
  }

  activeCountBySeller(sellerId: string): number {
    const seller = this.sellers.find(sellerId);
    return seller === undefined ? 0 : (this.activeBySeller[seller] ?? 0);
  }

  /** Active products of a category: the sum of its price bands. */
  private activeIn(category: number): number {
    let n = 0;
    for (const count of this.activeBands[category] ?? []) n += count;
    return n;
  }

  private count(doc: number, delta: 1 | -1): void {
    if (this.rows.status[doc] !== ACTIVE) return;
    const category = this.rows.category[doc] as number;
    const seller = this.rows.seller[doc] as number;
    this.activeBySeller[seller] = (this.activeBySeller[seller] ?? 0) + delta;
    const bands = (this.activeBands[category] ??= new Int32Array(PRICE_BAND_STARTS.length));
    const band = this.rows.band[doc] as number;
    bands[band] = (bands[band] as number) + delta;
    const pairs = this.rows.attributes[doc];
    if (!pairs) return;
    let counts = this.activePairs[category] ?? new Int32Array(0);
    if (counts.length < this.pairs.size) {
      const grown = new Int32Array(Math.max(this.pairs.size, counts.length * 2, 64));
      grown.set(counts);
      counts = grown;
    }
    this.activePairs[category] = counts;
    for (let i = 0; i < pairs.length; i++) {
      const pair = pairs[i] as number;
      counts[pair] = (counts[pair] as number) + delta;
    }
  }

  private compile(filter: IndexFilter): CompiledFilter {
    return new CompiledFilter(this.rows, filter, {
      categories: this.categories,
      sellers: this.sellers,
      pairs: this.pairs,
    });
  }

  /** Whether a query's rarest term is common enough for the sorted walks (dense.ts). */
  private denseBound(terms: readonly string[]): number | null {
    const bound = this.text.matchBound(terms);
    return bound >= Math.max(this.denseMin, this.rows.end * this.denseShare) ? bound : null;
  }

  /** A page read off a sorted order (dense.ts), or null when the query is rare or too selective. */
  private densePage(
    filter: IndexFilter,
    order: Order,
    after: Key | null,
    want: number,
  ): Page | null {
    const rows = this.rows;
    const accepted = this.compile(filter);
    if (accepted.none) return { docs: [], primaries: [] };
    const within = this.categoryBits(filter);
    let terms: TermTest | null = null;
    let budget = this.walkBudget ?? Math.max(this.denseMin, rows.end / 2);
    if (filter.terms.length > 0) {
      const bound = this.denseBound(filter.terms);
      if (bound === null) return null;
      // Never much more work than collecting the matches would have been.
      budget = this.walkBudget ?? Math.max(this.denseMin, bound / 2);
      if (order.sort === 'relevance') {
        const [term] = filter.terms;
        if (filter.terms.length !== 1 || term === undefined) return null;
        return relevancePage(rows, this.text, this.byId, term, after, within, accepted, want, {
          sparseTier: this.sparseTier,
          tierBudget: (count) => this.walkBudget ?? 2 * count + 64,
        });
      }
      terms = new TermTest(this.text, filter.terms, rows.capacity);
    }
    const newest = order.sort === 'newest';
    const column = newest ? rows.created : rows.price;
    return walkPage(
      newest ? this.byCreated : this.byPrice,
      order.primaryDescending,
      after,
      terms,
      within,
      accepted,
      want,
      budget,
      (doc) => column[doc] as number,
    );
  }

  /** Every match collected and ranked: the way for rare terms and very selective filters. */
  private collectedPage(filter: IndexFilter, order: Order, after: Key | null, want: number): Page {
    const rows = this.rows;
    const top = new TopK(order, want, rows.ids, rows.idKey);
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
    return top.sorted();
  }

  /** The one counter, zeroed: its counts are read into the answer before the next query. */
  private newCounter(sign: 1 | -1 = 1): FacetCounter {
    return this.counter.reset(
      { categories: this.categories.size, bands: PRICE_BAND_STARTS.length, pairs: this.pairs.size },
      sign,
    );
  }

  /** The documents of the categories filtered on, as a bitset (null: no category filter). */
  private categoryBits(filter: IndexFilter): Uint32Array | null {
    if (!filter.categoryIds) return null;
    const categories = new Set<number>();
    for (const id of filter.categoryIds) {
      const category = this.categories.find(id);
      if (category !== undefined) categories.add(category);
    }
    const words = Math.ceil(this.rows.capacity / 32);
    this.categoryScratch = this.inCategory.union(categories, words, this.categoryScratch);
    return this.categoryScratch;
  }

  /**
   * Facets without ranking, whichever touches fewer products: a scan of the matches in document
   * order (words of the bitsets with no match are skipped), or, when only categories narrow the
   * query, the running counts of those categories less the active products lacking the terms
   * (without words, the running counts alone). Null for a rare query: collecting its matches
   * is cheaper.
   */
  private denseFacets(filter: IndexFilter): FacetCounter | null {
    const rows = this.rows;
    const accepted = this.compile(filter);
    if (accepted.none) return this.newCounter();
    let terms: TermTest | null = null;
    if (filter.terms.length > 0) {
      if (this.denseBound(filter.terms) === null) return null;
      terms = new TermTest(this.text, filter.terms, rows.capacity);
    }
    const within = this.categoryBits(filter);
    const narrowed =
      filter.minPrice !== undefined ||
      filter.maxPrice !== undefined ||
      filter.sellerId !== undefined ||
      filter.inStock === true ||
      Object.keys(filter.attributes ?? {}).length > 0;
    const matches = countBoth(rows.end, terms, within);
    const lacking = terms === null ? 0 : countBoth(rows.end, null, within) - matches;
    const words = Math.ceil(rows.capacity / 32);
    this.activeScratch = this.active.union([0], words, this.activeScratch);
    const active = this.activeScratch;
    if (narrowed || matches <= lacking) {
      const counter = this.newCounter();
      // More than a sixteenth of the words' bits set: test every bit (see tallyScan).
      const dense = matches * 16 > rows.end;
      tallyScan(rows, active, terms, within, accepted, counter, dense);
      return counter;
    }
    // The running counts, less (sign -1) the active products lacking the terms.
    const counts = this.newCounter(-1);
    const categories = filter.categoryIds
      ? new Set(filter.categoryIds.map((id) => this.categories.find(id)))
      : this.activeBands.keys();
    for (const category of categories) {
      if (category === undefined) continue;
      counts.byCategory[category] = this.activeIn(category);
      const bands = this.activeBands[category];
      if (bands) {
        for (let b = 0; b < bands.length; b++) {
          counts.byBand[b] = (counts.byBand[b] as number) + (bands[b] as number);
        }
      }
      const pairs = this.activePairs[category];
      if (!pairs) continue;
      const n = Math.min(pairs.length, counts.byPair.length);
      for (let p = 0; p < n; p++) {
        counts.byPair[p] = (counts.byPair[p] as number) + (pairs[p] as number);
      }
    }
    if (terms !== null) tallyComplement(rows, active, terms, within, counts);
    return counts;
  }

  private collectedFacets(filter: IndexFilter): FacetCounter {
    const counter = this.newCounter();
    const { count, docs } = this.matching(filter);
    for (let i = 0; i < count; i++) counter.add(docs[i] as number);
    return counter;
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
    const accepted = this.compile(filter);
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
export function createCatalogIndex(options: CatalogIndexOptions = {}): CatalogIndex {
  return new InProcessCatalogIndex(options);
}
