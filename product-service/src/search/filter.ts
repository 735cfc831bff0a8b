import { ACTIVE, type Columns, type Interner } from './columns.ts';

/** The filter fields of a query (everything but the words). */
export interface Filters {
  /** Any of; an empty list matches nothing. */
  categoryIds?: readonly string[];
  sellerId?: string;
  /** Inclusive. */
  minPrice?: number;
  /** Inclusive. */
  maxPrice?: number;
  /** stock > 0 */
  inStock?: boolean;
  /** Every pair must match exactly. */
  attributes?: Readonly<Record<string, string>>;
}

export interface Dictionaries {
  categories: Interner;
  sellers: Interner;
  /** "key\0value" of attribute pairs. */
  pairs: Interner;
}

/**
 * A filter in interned numbers, checked row by row against the columns. A class (not a closure
 * per query) so the hot loops' call site stays monomorphic and V8 inlines `accepts`.
 */
export class CompiledFilter {
  /** True when no product can match (an unknown category, seller or attribute pair). */
  readonly none: boolean;
  /**
   * Whether anything beyond status and category is checked: when not, a caller that already
   * has the active products of the categories as bits need not call `accepts`.
   */
  readonly perRow: boolean;
  private readonly categories: Uint8Array | null = null;
  private readonly seller: number = -1;
  private readonly minPrice: number;
  private readonly maxPrice: number;
  private readonly inStock: boolean;
  private readonly pairs: number[] = [];

  constructor(
    private readonly rows: Columns,
    filter: Filters,
    dictionaries: Dictionaries,
  ) {
    let none = false;
    this.minPrice = filter.minPrice ?? -Infinity;
    this.maxPrice = filter.maxPrice ?? Infinity;
    this.inStock = filter.inStock === true;
    if (filter.categoryIds) {
      const categories = new Uint8Array(dictionaries.categories.size);
      let known = 0;
      for (const id of filter.categoryIds) {
        const category = dictionaries.categories.find(id);
        if (category === undefined) continue;
        categories[category] = 1;
        known++;
      }
      none ||= known === 0;
      this.categories = categories;
    }
    if (filter.sellerId !== undefined) {
      const seller = dictionaries.sellers.find(filter.sellerId);
      none ||= seller === undefined;
      this.seller = seller ?? -1;
    }
    for (const [key, value] of Object.entries(filter.attributes ?? {})) {
      const pair = dictionaries.pairs.find(`${key}\0${value}`);
      if (pair === undefined) none = true;
      else this.pairs.push(pair);
    }
    this.none = none;
    this.perRow =
      filter.sellerId !== undefined ||
      this.minPrice !== -Infinity ||
      this.maxPrice !== Infinity ||
      this.inStock ||
      this.pairs.length > 0;
  }

  accepts(doc: number): boolean {
    const rows = this.rows;
    if (rows.status[doc] !== ACTIVE) return false;
    if (this.categories !== null && this.categories[rows.category[doc] as number] !== 1)
      return false;
    if (this.seller >= 0 && rows.seller[doc] !== this.seller) return false;
    const price = rows.price[doc] as number;
    if (price < this.minPrice || price > this.maxPrice) return false;
    if (this.inStock && !((rows.stock[doc] as number) > 0)) return false;
    if (this.pairs.length > 0) {
      const own = rows.attributes[doc];
      if (!own) return false;
      for (const pair of this.pairs) if (!own.includes(pair)) return false;
    }
    return true;
  }
}
