/**
 * Seeded randomness for the generator: every product draws from its own stream, seeded from its
 * index alone, so product i is the same whatever N, order or process makes it.
 */

/** A 32-bit integer hash (lowbias32): neighbouring inputs give unrelated outputs. */
export function hash32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The seed of stream `salt` of item `index` (index up to 2^32). */
export function seedOf(index: number, salt: number): number {
  return hash32(hash32(index) ^ Math.imul(salt + 1, 0x9e3779b9));
}

/** mulberry32: tiny, fast and good enough for synthetic data (not for anything secret). */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** A standard normal deviate (Box-Muller). */
  normal(): number {
    const u = 1 - this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** 8 lowercase hex digits. */
  hex8(): string {
    return (Math.floor(this.next() * 4294967296) >>> 0).toString(16).padStart(8, '0');
  }
}

/**
 * Picks indexes by weight in O(log n): built once from the weights, then `draw(u)` maps a
 * uniform u in [0, 1) to an index.
 */
export class WeightedPicker {
  private readonly cumulative: Float64Array;

  constructor(weights: readonly number[]) {
    if (weights.length === 0) throw new Error('no weights');
    this.cumulative = new Float64Array(weights.length);
    let total = 0;
    weights.forEach((weight, i) => {
      total += weight;
      this.cumulative[i] = total;
    });
    for (let i = 0; i < this.cumulative.length; i++) this.cumulative[i]! /= total;
  }

  draw(u: number): number {
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (u < this.cumulative[mid]!) high = mid;
      else low = mid + 1;
    }
    return low;
  }
}

/** Zipf weights 1/rank^s for ranks 1..n: a few heavy items and a long tail. */
export function zipfWeights(n: number, s: number): number[] {
  return Array.from({ length: n }, (_, i) => 1 / Math.pow(i + 1, s));
}
