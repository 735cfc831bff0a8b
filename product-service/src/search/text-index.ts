import { Index } from 'flexsearch';

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * The words of a title or description: the same lowercasing and letter/digit runs as
 * domain/search-terms.ts applies to a query (without its cap on the number of words), so a word
 * typed in the search box and the word stored here are spelt alike.
 */
export function textWords(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** Terms of one query are bits of a 32-bit mask; the top bit marks a document already visited. */
export const MAX_TERMS = 30;
const VISITED = 1 << 31;

/** The documents holding a word. FlexSearch hands back its own array, so nobody may change it. */
type Postings = readonly number[];
const NONE: Postings = [];
const EVERY = { limit: 2 ** 31 - 1 };

function flexIndex(): Index {
  // Words arrive already split by textWords and joined by one space. resolution 1 keeps a word's
  // documents in one array, which a search then returns as is (no copy, no scoring by FlexSearch);
  // fastupdate keeps per-document references so a remove does not scan the whole index.
  return new Index({
    tokenize: 'strict',
    resolution: 1,
    fastupdate: true,
    encode: (text: string) => text.split(' '),
  });
}

/** Every word ever indexed, sorted by code unit (JS `<`), to expand a prefix into words. */
class Vocabulary {
  private readonly known = new Set<string>();
  private sorted: string[] = [];
  private pending: string[] = [];

  add(word: string): void {
    if (this.known.has(word)) return;
    this.known.add(word);
    this.pending.push(word);
  }

  /** Words beginning with prefix. Stale words (no longer in any document) only cost a look-up. */
  withPrefix(prefix: string): string[] {
    this.flush();
    const words = this.sorted;
    let lo = 0;
    let hi = words.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((words[mid] as string) < prefix) lo = mid + 1;
      else hi = mid;
    }
    const found: string[] = [];
    for (let i = lo; i < words.length && (words[i] as string).startsWith(prefix); i++) {
      found.push(words[i] as string);
    }
    return found;
  }

  /** New words are merged in on the next prefix search, not one sorted insert per write. */
  private flush(): void {
    if (this.pending.length === 0) return;
    const added = this.pending.sort();
    const old = this.sorted;
    const merged = new Array<string>(old.length + added.length);
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < old.length && j < added.length) {
      merged[k++] =
        (old[i] as string) < (added[j] as string) ? (old[i++] as string) : (added[j++] as string);
    }
    while (i < old.length) merged[k++] = old[i++] as string;
    while (j < added.length) merged[k++] = added[j++] as string;
    this.sorted = merged;
    this.pending = [];
  }
}

export type Field = 'title' | 'description';

interface CachedBits {
  field: Field;
  term: string;
  prefix: boolean;
  bits: Uint32Array;
  slot: number;
}

/**
 * The bitsets of the terms queried last (least recently used out first), kept current by writes.
 * They live in one slab of `limit` slots reused as entries come and go: a fresh 125 KB array per
 * new term at 1M products is external memory, whose churn made V8 run full collections of the
 * whole heap (pauses of 1.5 to 2 s measured with --trace-gc). A query uses at most 2 × MAX_TERMS
 * entries, fewer than `limit`, so the oldest entry evicted is never one it still holds.
 */
class TermBitsets {
  private readonly cached = new Map<string, CachedBits>();
  private slab = new Uint32Array(0);
  private words = 0;
  private readonly freeSlots: number[] = [];

  constructor(private readonly limit = 128) {}

  get(field: Field, term: string, prefix: boolean, capacity: number): Uint32Array | undefined {
    if (Math.ceil(capacity / 32) !== this.words) return undefined;
    const name = `${field}\0${prefix ? 'p' : 'w'}\0${term}`;
    const entry = this.cached.get(name);
    if (!entry) return undefined;
    this.cached.delete(name);
    this.cached.set(name, entry);
    return entry.bits;
  }

  /** A zeroed slot for a new entry (all entries are dropped when the catalog outgrows them). */
  allocate(field: Field, term: string, prefix: boolean, capacity: number): Uint32Array {
    const words = Math.ceil(capacity / 32);
    if (words !== this.words) {
      this.cached.clear();
      this.words = words;
      this.slab = new Uint32Array(words * this.limit);
      this.freeSlots.length = 0;
      for (let slot = this.limit - 1; slot >= 0; slot--) this.freeSlots.push(slot);
    }
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      const oldest = this.cached.entries().next();
      if (oldest.done) throw new Error('no bitset slot');
      this.cached.delete(oldest.value[0]);
      slot = oldest.value[1].slot;
    }
    const bits = this.slab.subarray(slot * words, (slot + 1) * words).fill(0);
    this.cached.set(`${field}\0${prefix ? 'p' : 'w'}\0${term}`, {
      field,
      term,
      prefix,
      bits,
      slot,
    });
    return bits;
  }

  /** A document's field now holds `words`: its bit in every cached set of that field follows. */
  update(field: Field, doc: number, words: readonly string[]): void {
    for (const entry of this.cached.values()) {
      if (entry.field !== field || entry.bits.length * 32 <= doc) continue;
      const { term, prefix } = entry;
      const has = prefix ? words.some((w) => w.startsWith(term)) : words.includes(term);
      setBit(entry.bits, doc, has);
    }
  }

  remove(doc: number): void {
    for (const entry of this.cached.values()) {
      if (entry.bits.length * 32 > doc) setBit(entry.bits, doc, false);
    }
  }
}

function setBit(bits: Uint32Array, doc: number, on: boolean): void {
  const mask = 1 << (doc & 31);
  const at = doc >>> 5;
  bits[at] = on ? (bits[at] as number) | mask : (bits[at] as number) & ~mask;
}

/** Whether bit `doc` of a term bitset is set. */
export function hasBit(bits: Uint32Array, doc: number): boolean {
  return ((bits[doc >>> 5] as number) & (1 << (doc & 31))) !== 0;
}

/** Products found by a text query: document numbers and their scores, the first `count` entries. */
export interface TextMatches {
  count: number;
  docs: Int32Array;
  scores: Int32Array;
}

export function popcount(mask: number): number {
  let m = mask - ((mask >>> 1) & 0x55555555);
  m = (m & 0x33333333) + ((m >>> 2) & 0x33333333);
  return (((m + (m >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/**
 * Title and description words of every product, each in its own FlexSearch index (to tell a
 * title match from a description match), keyed by the caller's document number.
 */
export class TextIndex {
  private readonly title = flexIndex();
  private readonly description = flexIndex();
  private readonly vocabulary = new Vocabulary();
  private titleMask = new Int32Array(0);
  private descriptionMask = new Int32Array(0);
  private exact = new Uint8Array(0);
  private matchDocs = new Int32Array(0);
  private matchScores = new Int32Array(0);

  private readonly bitsets: TermBitsets;
  /** Bumped by every change of the words, so a remembered bound is known stale. */
  private textVersion = 0;
  private lastBound: { key: string; textVersion: number; bound: number } | null = null;

  /** `bitsetSlots`: how many term bitsets are kept; at least 2 × the terms of any query. */
  constructor(bitsetSlots = 128) {
    this.bitsets = new TermBitsets(bitsetSlots);
  }

  setTitle(doc: number, text: string): void {
    this.title.update(doc, this.words(text, 'title', doc));
  }

  setDescription(doc: number, text: string): void {
    this.description.update(doc, this.words(text, 'description', doc));
  }

  remove(doc: number): void {
    this.textVersion++;
    this.title.remove(doc);
    this.description.remove(doc);
    this.bitsets.remove(doc);
  }

  /**
   * How many documents the rarest term is in (title and description counted apart, a prefix as
   * all its words): no more than that can match, so it tells a rare query from a common one.
   */
  matchBound(terms: readonly string[]): number {
    // A listing with facets asks twice (page, then facets); a prefix may expand to many words.
    const key = terms.join('\0');
    const last = this.lastBound;
    if (last && last.key === key && last.textVersion === this.textVersion) return last.bound;
    let least = Infinity;
    terms.forEach((term, i) => {
      const words = i === terms.length - 1 ? this.vocabulary.withPrefix(term) : [term];
      let size = 0;
      for (const word of words) {
        size += this.postings(this.title, word).length;
        size += this.postings(this.description, word).length;
      }
      least = Math.min(least, size);
    });
    this.lastBound = { key, textVersion: this.textVersion, bound: least };
    return least;
  }

  /**
   * The documents holding `term` (as a word, or as the prefix of one) in one field, one bit each,
   * for a query that matches a large part of the catalog: testing a bit per document visited in a
   * sorted walk beats collecting and ranking every match. Kept and updated by every later write
   * until it falls out of a small cache; do not change it.
   */
  bits(field: Field, term: string, prefix: boolean, capacity: number): Uint32Array {
    const cached = this.bitsets.get(field, term, prefix, capacity);
    if (cached) return cached;
    const bits = this.bitsets.allocate(field, term, prefix, capacity);
    const index = field === 'title' ? this.title : this.description;
    for (const word of prefix ? this.vocabulary.withPrefix(term) : [term]) {
      const docs = this.postings(index, word);
      for (let i = 0; i < docs.length; i++) {
        const doc = docs[i] as number;
        bits[doc >>> 5] = (bits[doc >>> 5] as number) | (1 << (doc & 31));
      }
    }
    return bits;
  }

  /**
   * Documents holding every term in their title or description, the last term as a prefix of a
   * word. Score (an integer, higher first): 128 per term found in the title, 2 per term found in
   * the description, 1 more when the last term is also a whole word of the product; so one more
   * title match outweighs any number of description matches. `docs` below `capacity` only.
   */
  match(terms: readonly string[], capacity: number): TextMatches {
    const n = terms.length;
    if (n === 0 || n > MAX_TERMS) throw new RangeError(`1 to ${MAX_TERMS} search terms, got ${n}`);
    this.reserve(capacity);
    const marked: Postings[] = [];
    let driver: Postings[] = [];
    let driverSize = Infinity;
    for (let i = 0; i < n && driverSize > 0; i++) {
      const term = terms[i] as string;
      const last = i === n - 1;
      const words = last ? this.vocabulary.withPrefix(term) : [term];
      const lists: Postings[] = [];
      let size = 0;
      for (const word of words) {
        const inTitle = this.postings(this.title, word);
        const inDescription = this.postings(this.description, word);
        this.mark(this.titleMask, inTitle, 1 << i);
        this.mark(this.descriptionMask, inDescription, 1 << i);
        if (last && word === term) {
          this.mark(this.exact, inTitle, 1);
          this.mark(this.exact, inDescription, 1);
        }
        lists.push(inTitle, inDescription);
        size += inTitle.length + inDescription.length;
      }
      marked.push(...lists);
      if (size < driverSize) {
        driver = lists;
        driverSize = size;
      }
    }
    const count = driverSize > 0 ? this.collect(driver, (1 << n) - 1) : 0;
    this.clear(marked, capacity);
    return { count, docs: this.matchDocs, scores: this.matchScores };
  }

  /** Walks the rarest term's documents (every match holds it) and keeps those holding all terms. */
  private collect(driver: readonly Postings[], all: number): number {
    const { titleMask, descriptionMask, exact, matchDocs, matchScores } = this;
    let count = 0;
    for (const list of driver) {
      for (let i = 0; i < list.length; i++) {
        const doc = list[i] as number;
        const inTitle = titleMask[doc] as number;
        if ((inTitle & VISITED) !== 0) continue;
        titleMask[doc] = inTitle | VISITED;
        const inDescription = descriptionMask[doc] as number;
        if (((inTitle | inDescription) & all) !== all) continue;
        matchDocs[count] = doc;
        matchScores[count] =
          128 * popcount(inTitle & all) +
          2 * popcount(inDescription & all) +
          (exact[doc] as number);
        count++;
      }
    }
    return count;
  }

  private words(text: string, field: Field, doc: number): string {
    this.textVersion++;
    const words = textWords(text);
    for (const word of words) this.vocabulary.add(word);
    this.bitsets.update(field, doc, words);
    return words.join(' ');
  }

  private postings(index: Index, word: string): Postings {
    // Only numbers are ever added as ids, so the ids that come back are numbers.
    const found = index.search(word, EVERY) as Postings;
    return found.length > 0 ? found : NONE;
  }

  // Indexed loops: for…of over these arrays measured about 2.5 times slower.
  private mark(masks: Int32Array | Uint8Array, docs: Postings, bit: number): void {
    for (let i = 0; i < docs.length; i++) {
      const doc = docs[i] as number;
      masks[doc] = (masks[doc] as number) | bit;
    }
  }

  /** Clears only what was marked unless that was a large part of the catalog. */
  private clear(marked: readonly Postings[], capacity: number): void {
    let total = 0;
    for (const list of marked) total += list.length;
    if (total * 4 > capacity) {
      this.titleMask.fill(0, 0, capacity);
      this.descriptionMask.fill(0, 0, capacity);
      this.exact.fill(0, 0, capacity);
      return;
    }
    for (const list of marked) {
      for (let i = 0; i < list.length; i++) {
        const doc = list[i] as number;
        this.titleMask[doc] = 0;
        this.descriptionMask[doc] = 0;
        this.exact[doc] = 0;
      }
    }
  }

  private reserve(capacity: number): void {
    if (this.titleMask.length >= capacity) return;
    this.titleMask = new Int32Array(capacity);
    this.descriptionMask = new Int32Array(capacity);
    this.exact = new Uint8Array(capacity);
    this.matchDocs = new Int32Array(capacity);
    this.matchScores = new Int32Array(capacity);
  }
}
