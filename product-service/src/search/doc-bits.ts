/**
 * Sets of document numbers as bitsets, one per small integer (a category): a filter on a few
 * categories becomes a word-wise OR, tested with a shift and a mask instead of a column read.
 */
export class DocBitsets {
  private readonly sets: Uint32Array[] = [];

  add(set: number, doc: number): void {
    let bits = this.sets[set] ?? new Uint32Array(0);
    if (bits.length * 32 <= doc) {
      const grown = new Uint32Array(Math.max(32, bits.length * 2, (doc >>> 5) + 1));
      grown.set(bits);
      bits = grown;
    }
    this.sets[set] = bits;
    bits[doc >>> 5] = (bits[doc >>> 5] as number) | (1 << (doc & 31));
  }

  delete(set: number, doc: number): void {
    const bits = this.sets[set];
    if (bits && bits.length * 32 > doc) {
      bits[doc >>> 5] = (bits[doc >>> 5] as number) & ~(1 << (doc & 31));
    }
  }

  /**
   * The union of some sets over the first `words` words, written into `into` when it is large
   * enough (a scratch array the caller reuses: a fresh 125 KB per query at 1M products is
   * external memory, and its churn brings full collections of a 2 GB heap).
   */
  union(sets: Iterable<number>, words: number, into?: Uint32Array): Uint32Array {
    const out = into && into.length >= words ? into.fill(0, 0, words) : new Uint32Array(words);
    for (const set of sets) {
      const bits = this.sets[set];
      if (!bits) continue;
      const n = Math.min(words, bits.length);
      for (let w = 0; w < n; w++) out[w] = (out[w] as number) | (bits[w] as number);
    }
    return out;
  }
}
