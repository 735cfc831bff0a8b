/** Strings seen so far, each given a small integer (its position) for typed-array columns. */
export class Interner {
  private readonly numbers = new Map<string, number>();
  readonly values: string[] = [];

  intern(value: string): number {
    let n = this.numbers.get(value);
    if (n === undefined) {
      n = this.values.length;
      this.numbers.set(value, n);
      this.values.push(value);
    }
    return n;
  }

  find(value: string): number | undefined {
    return this.numbers.get(value);
  }

  get size(): number {
    return this.values.length;
  }
}

/** Attribute pairs kept inline per product in its facet row (Columns.facetRow). */
export const PAIR_SLOTS = 6;
/** A facet row: category, price band, then PAIR_SLOTS pairs (ROW_END after the last). */
export const FACET_ROW = 2 + PAIR_SLOTS;
/** After a facet row's last pair. */
export const ROW_END = 0xffff;
/** In a row's first slot: this product does not fit a row (count it from the columns). */
export const ROW_ESCAPE = 0xfffe;

export const FREE = 0;
export const ACTIVE = 1;
export const ARCHIVED = 2;

/** Two 32-bit string hashes: tells whether a title or description changed without keeping it. */
export function textHash(text: string): number {
  let a = 0x811c9dc5;
  let b = 5381;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = (Math.imul(b, 33) + c) | 0;
  }
  // 53 bits fit a double exactly: 32 of one hash, 21 of the other.
  return (a >>> 0) * 2 ** 21 + ((b >>> 0) & 0x1fffff);
}

/**
 * One row per document number, a column per field, so a scan over a million products touches a
 * few flat arrays instead of a million objects.
 */
export class Columns {
  capacity = 0;
  /** Document numbers in use are below this (freed ones inside are reused first). */
  end = 0;
  status = new Uint8Array(0);
  price = new Float64Array(0);
  stock = new Float64Array(0);
  created = new Float64Array(0);
  version = new Float64Array(0);
  titleHash = new Float64Array(0);
  descriptionHash = new Float64Array(0);
  category = new Uint32Array(0);
  seller = new Uint32Array(0);
  ids: string[] = [];
  /** keyset.ts idKey of each id. */
  idKey = new Float64Array(0);
  /** Interned (key, value) pairs of a product's attributes, ascending. */
  attributes: (Uint32Array | null)[] = [];
  /** The product's price band (catalog-index.ts PRICE_BAND_STARTS), for facets. */
  band = new Uint8Array(0);
  /**
   * What a facet count reads of a product, side by side in 16 bytes (FACET_ROW 16-bit numbers:
   * category, band and up to PAIR_SLOTS attribute pairs, ROW_END after the last): counting a
   * third of a million products is bound by memory reads, so the row is as small as it can be.
   * A product with more pairs, or numbers past 16 bits, has ROW_ESCAPE first and is counted from
   * the columns (dense.ts FacetCounter).
   */
  facetRow = new Uint16Array(0);
  private readonly free: number[] = [];

  allocate(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.end === this.capacity) this.grow(Math.max(1024, this.capacity * 2));
    return this.end++;
  }

  release(doc: number): void {
    this.status[doc] = FREE;
    this.ids[doc] = '';
    this.attributes[doc] = null;
    this.facetRow.fill(ROW_END, doc * FACET_ROW, (doc + 1) * FACET_ROW);
    this.free.push(doc);
  }

  private grow(capacity: number): void {
    const grown = <T extends Uint8Array | Uint32Array | Float64Array>(
      old: T,
      make: (n: number) => T,
    ): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.status = grown(this.status, (n) => new Uint8Array(n));
    this.price = grown(this.price, (n) => new Float64Array(n));
    this.stock = grown(this.stock, (n) => new Float64Array(n));
    this.created = grown(this.created, (n) => new Float64Array(n));
    this.version = grown(this.version, (n) => new Float64Array(n));
    this.titleHash = grown(this.titleHash, (n) => new Float64Array(n));
    this.descriptionHash = grown(this.descriptionHash, (n) => new Float64Array(n));
    this.idKey = grown(this.idKey, (n) => new Float64Array(n));
    this.category = grown(this.category, (n) => new Uint32Array(n));
    this.seller = grown(this.seller, (n) => new Uint32Array(n));
    this.band = grown(this.band, (n) => new Uint8Array(n));
    const facetRow = new Uint16Array(capacity * FACET_ROW).fill(ROW_END);
    facetRow.set(this.facetRow);
    this.facetRow = facetRow;
    this.capacity = capacity;
  }
}
