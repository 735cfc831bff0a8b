import { FREE, type Columns } from './columns.ts';
import { compareIds } from './keyset.ts';

/** A position in an order: (primary, id key, id), compared in that order, ascending. */
export interface OrderKey {
  primary: number;
  key: number;
  id: string;
}

function compareKeys(
  pa: number,
  ka: number,
  ia: string,
  pb: number,
  kb: number,
  ib: string,
): number {
  if (pa !== pb) return pa < pb ? -1 : 1;
  return compareIds(ka, ia, kb, ib);
}

/** Visits documents in order; returns false to stop the walk. */
export type Visit = (doc: number) => boolean;

/**
 * Every live document sorted by (one column, id key, id), so a listing sorted by that column
 * reads its page from where the cursor points instead of ranking every match.
 *
 * A change of the column would mean moving an entry inside a million-entry array, so instead the
 * entry as sorted stays where it is, marked stale (its stored key keeps the binary search right),
 * and the document joins a small sorted `extra` list; a walk merges the two. When `extra` grows
 * past a share of the whole, the two are merged into one sorted array. Until its first use the
 * order is not built at all, so loading a catalog does not maintain it.
 */
export class SortedOrder {
  private built = false;
  private perm: Int32Array = new Int32Array(0);
  private permPrimary = new Float64Array(0);
  private permKey = new Float64Array(0);
  private permIds: string[] = [];
  /** Per document: 1 = its perm entry is current, 2 = it is in extra, 0 = neither. */
  private where = new Uint8Array(0);
  private extra: number[] = [];

  constructor(
    private readonly rows: Columns,
    /** The sorting column of a document; a constant orders by id alone. */
    private readonly primaryOf: (rows: Columns, doc: number) => number,
    /** Past this share of the sorted entries, extra is merged in by sorting again. */
    private readonly extraShare = 1 / 32,
  ) {}

  get isBuilt(): boolean {
    return this.built;
  }

  /** Before a document's column changes or it is released. */
  detach(doc: number): void {
    if (!this.built) return;
    const where = this.where[doc];
    if (where === 1) this.where[doc] = 0;
    else if (where === 2) {
      const at = this.extraIndexOf(doc);
      this.extra.splice(at, 1);
      this.where[doc] = 0;
    }
  }

  /** After a live document's column was written (or it was allocated). */
  attach(doc: number): void {
    if (!this.built) return;
    if (this.where.length <= doc) {
      const grown = new Uint8Array(this.rows.capacity);
      grown.set(this.where);
      this.where = grown;
    }
    const at = this.extraLowerBound(this.keyOf(doc));
    this.extra.splice(at, 0, doc);
    this.where[doc] = 2;
    if (this.extra.length > Math.max(64, this.perm.length * this.extraShare)) this.compact();
  }

  /**
   * Merges extra into the sorted entries, dropping stale ones: both are sorted already, so one
   * linear pass does it (a tenth of the cost of sorting again).
   */
  private compact(): void {
    const { perm, where, extra } = this;
    let live = extra.length;
    for (let i = 0; i < perm.length; i++) if (where[perm[i] as number] === 1) live++;
    const next = new Int32Array(live);
    const primary = new Float64Array(live);
    const key = new Float64Array(live);
    const ids = new Array<string>(live);
    const rows = this.rows;
    let i = 0;
    let j = 0;
    for (let k = 0; k < live; k++) {
      while (i < perm.length && where[perm[i] as number] !== 1) i++;
      if (i < perm.length && (j >= extra.length || this.permBeforeExtra(i, extra[j] as number))) {
        next[k] = perm[i] as number;
        primary[k] = this.permPrimary[i] as number;
        key[k] = this.permKey[i] as number;
        ids[k] = this.permIds[i] as string;
        i++;
      } else {
        const doc = extra[j++] as number;
        next[k] = doc;
        primary[k] = this.primaryOf(rows, doc);
        key[k] = rows.idKey[doc] as number;
        ids[k] = rows.ids[doc] as string;
      }
    }
    // Only now: a document in extra may also have a stale entry further on in perm.
    for (const doc of extra) where[doc] = 1;
    this.perm = next;
    this.permPrimary = primary;
    this.permKey = key;
    this.permIds = ids;
    this.extra = [];
  }

  /** Sorts every live document (done lazily, by the first walk after a build or many changes). */
  rebuild(): void {
    const rows = this.rows;
    let live = 0;
    for (let doc = 0; doc < rows.end; doc++) if (rows.status[doc] !== FREE) live++;
    const docs = new Int32Array(live);
    const primary = new Float64Array(rows.capacity);
    let n = 0;
    for (let doc = 0; doc < rows.end; doc++) {
      if (rows.status[doc] === FREE) continue;
      docs[n++] = doc;
      primary[doc] = this.primaryOf(rows, doc);
    }
    const { idKey, ids } = rows;
    const perm = sortByKeys(docs, primary, idKey, ids);
    this.perm = perm;
    this.permPrimary = new Float64Array(live);
    this.permKey = new Float64Array(live);
    this.permIds = new Array<string>(live);
    this.where = new Uint8Array(rows.capacity);
    for (let i = 0; i < live; i++) {
      const doc = perm[i] as number;
      this.permPrimary[i] = primary[doc] as number;
      this.permKey[i] = idKey[doc] as number;
      this.permIds[i] = ids[doc] as string;
      this.where[doc] = 1;
    }
    this.extra = [];
    this.built = true;
  }

  /**
   * Visits live documents strictly after `after` (or from the first) in ascending order, or
   * strictly before it in descending order, until `visit` returns false.
   */
  walk(after: OrderKey | null, descending: boolean, visit: Visit): void {
    if (!this.built) this.rebuild();
    const { perm, where, extra } = this;
    if (!descending) {
      let i = after ? this.permUpperBound(after) : 0;
      let j = after ? this.extraUpperBound(after) : 0;
      for (;;) {
        while (i < perm.length && where[perm[i] as number] !== 1) i++;
        const fromPerm = i < perm.length;
        const fromExtra = j < extra.length;
        if (!fromPerm && !fromExtra) return;
        let doc: number;
        if (fromPerm && (!fromExtra || this.permBeforeExtra(i, extra[j] as number))) {
          doc = perm[i++] as number;
        } else {
          doc = extra[j++] as number;
        }
        if (!visit(doc)) return;
      }
    }
    let i = (after ? this.permLowerBound(after) : perm.length) - 1;
    let j = (after ? this.extraLowerBound(after) : extra.length) - 1;
    for (;;) {
      while (i >= 0 && where[perm[i] as number] !== 1) i--;
      const fromPerm = i >= 0;
      const fromExtra = j >= 0;
      if (!fromPerm && !fromExtra) return;
      let doc: number;
      if (fromPerm && (!fromExtra || !this.permBeforeExtra(i, extra[j] as number))) {
        doc = perm[i--] as number;
      } else {
        doc = extra[j--] as number;
      }
      if (!visit(doc)) return;
    }
  }

  private keyOf(doc: number): OrderKey {
    const rows = this.rows;
    return {
      primary: this.primaryOf(rows, doc),
      key: rows.idKey[doc] as number,
      id: rows.ids[doc] as string,
    };
  }

  private permBeforeExtra(i: number, doc: number): boolean {
    const rows = this.rows;
    return (
      compareKeys(
        this.permPrimary[i] as number,
        this.permKey[i] as number,
        this.permIds[i] as string,
        this.primaryOf(rows, doc),
        rows.idKey[doc] as number,
        rows.ids[doc] as string,
      ) < 0
    );
  }

  private comparePerm(i: number, k: OrderKey): number {
    return compareKeys(
      this.permPrimary[i] as number,
      this.permKey[i] as number,
      this.permIds[i] as string,
      k.primary,
      k.key,
      k.id,
    );
  }

  private compareExtra(j: number, k: OrderKey): number {
    const rows = this.rows;
    const doc = this.extra[j] as number;
    return compareKeys(
      this.primaryOf(rows, doc),
      rows.idKey[doc] as number,
      rows.ids[doc] as string,
      k.primary,
      k.key,
      k.id,
    );
  }

  /** First perm index whose entry is >= k. */
  private permLowerBound(k: OrderKey): number {
    return bound(this.perm.length, (i) => this.comparePerm(i, k) < 0);
  }

  /** First perm index whose entry is > k. */
  private permUpperBound(k: OrderKey): number {
    return bound(this.perm.length, (i) => this.comparePerm(i, k) <= 0);
  }

  private extraLowerBound(k: OrderKey): number {
    return bound(this.extra.length, (j) => this.compareExtra(j, k) < 0);
  }

  private extraUpperBound(k: OrderKey): number {
    return bound(this.extra.length, (j) => this.compareExtra(j, k) <= 0);
  }

  private extraIndexOf(doc: number): number {
    const at = this.extraLowerBound(this.keyOf(doc));
    if (this.extra[at] !== doc) throw new Error(`document ${doc} is not where its key says`);
    return at;
  }
}

/**
 * Documents sorted by (primary, id key, id). Both numbers are non-negative integers here (price
 * in minor units, ms since 1970, interned numbers, 7 characters of the id), so a stable radix
 * sort on 16-bit digits does it in a few passes over typed arrays: a comparator sort of a million
 * entries took over a second, which a request waiting behind a rebuild would feel.
 */
export function sortByKeys(
  docs: Int32Array,
  primary: Float64Array,
  idKey: Float64Array,
  ids: readonly string[],
): Int32Array {
  const integers = (values: Float64Array): boolean => {
    for (let i = 0; i < docs.length; i++) {
      const v = values[docs[i] as number] as number;
      if (!Number.isSafeInteger(v) || v < 0) return false;
    }
    return true;
  };
  if (!integers(primary) || !integers(idKey)) {
    return docs.sort((a, b) =>
      compareKeys(
        primary[a] as number,
        idKey[a] as number,
        ids[a] as string,
        primary[b] as number,
        idKey[b] as number,
        ids[b] as string,
      ),
    );
  }
  // Least significant first: the id key, then (stable) the primary.
  const byKey = radixSort(docs, idKey);
  // Equal id keys (ids alike in their first 7 characters) are put in id order.
  for (let i = 0; i < byKey.length;) {
    let j = i + 1;
    const key = idKey[byKey[i] as number];
    while (j < byKey.length && idKey[byKey[j] as number] === key) j++;
    if (j - i > 1) {
      byKey.subarray(i, j).sort((a, b) => ((ids[a] as string) < (ids[b] as string) ? -1 : 1));
    }
    i = j;
  }
  return radixSort(byKey, primary);
}

/**
 * A stable LSD radix sort of docs by values[doc], non-negative safe integers. Each value travels
 * with its document, so every pass reads sequentially (reading values[doc] in a shuffled order
 * missed the cache on nearly every entry: 4.7 s for the orders of a million products).
 */
function radixSort(docs: Int32Array, values: Float64Array): Int32Array {
  const n = docs.length;
  let from = Int32Array.from(docs);
  let to = new Int32Array(n);
  let fromValue = new Float64Array(n);
  let toValue = new Float64Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = values[from[i] as number] as number;
    fromValue[i] = v;
    if (v > max) max = v;
  }
  const counts = new Int32Array(0x10001);
  for (let scale = 1; scale <= max; scale *= 0x10000) {
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const digit = Math.floor((fromValue[i] as number) / scale) & 0xffff;
      counts[digit + 1] = (counts[digit + 1] as number) + 1;
    }
    for (let d = 1; d <= 0x10000; d++)
      counts[d] = (counts[d] as number) + (counts[d - 1] as number);
    for (let i = 0; i < n; i++) {
      const v = fromValue[i] as number;
      const digit = Math.floor(v / scale) & 0xffff;
      const at = counts[digit] as number;
      counts[digit] = at + 1;
      to[at] = from[i] as number;
      toValue[at] = v;
    }
    [from, to] = [to, from];
    [fromValue, toValue] = [toValue, fromValue];
  }
  return from;
}

/** The first index in [0, n) for which `below` is false (below holds for a prefix). */
function bound(n: number, below: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (below(mid)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
