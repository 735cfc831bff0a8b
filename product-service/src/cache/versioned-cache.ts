import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * A counter that invalidates every cache sharing it at once: an entry is only found while the
 * generation it was stored under is current. Share one between caches that a catalog write
 * invalidates together (listings, facets, category counts).
 */
export class CacheGeneration {
  #value = 0;

  get value(): number {
    return this.#value;
  }

  bump(): void {
    this.#value++;
  }
}

export interface VersionedCacheOptions {
  /** The `cache` label on the metrics: `listings`, `categories`, `products`. */
  name: string;
  /** At most this many entries; the least recently used one goes first. */
  maxEntries: number;
  /** Entries older than this are misses; none by default (invalidation only). */
  ttlMs?: number;
  /** Shared with other caches so that one `bump()` empties them all; a private one by default. */
  generation?: CacheGeneration;
  /** Where the hit, miss and eviction counters go (`app.metrics`); none by default. */
  registry?: Registry;
  /** The clock for `ttlMs` (tests). */
  now?: () => number;
}

export interface CacheStats {
  hits: number;
  misses: number;
  evictions: number;
  size: number;
}

interface Entry<V> {
  value: V;
  generation: number;
  storedAt: number;
}

interface Load<V> {
  promise: Promise<V>;
  generation: number;
}

interface CacheMeters {
  hit(): void;
  miss(): void;
  evict(): void;
  size(entries: number): void;
}

const NO_METERS: CacheMeters = { hit() {}, miss() {}, evict() {}, size() {} };

/**
 * A bounded in-process LRU (a Map keeps insertion order: a hit moves its key to the end, the
 * first key is the least recently used). Made for answers that are costly to build and cheap to
 * keep: serialized listing pages, the category tree, hot products.
 */
export class VersionedCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #loads = new Map<string, Load<V>>();
  readonly #generation: CacheGeneration;
  readonly #maxEntries: number;
  readonly #ttlMs: number | undefined;
  readonly #now: () => number;
  readonly #meters: CacheMeters;
  #hits = 0;
  #misses = 0;
  #evictions = 0;

  constructor(options: VersionedCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError(`cache ${options.name}: maxEntries must be a positive integer`);
    }
    if (options.ttlMs !== undefined && !(options.ttlMs > 0)) {
      throw new RangeError(`cache ${options.name}: ttlMs must be positive`);
    }
    this.#generation = options.generation ?? new CacheGeneration();
    this.#maxEntries = options.maxEntries;
    this.#ttlMs = options.ttlMs;
    this.#now = options.now ?? Date.now;
    this.#meters = options.registry ? cacheMeters(options.registry, options.name) : NO_METERS;
  }

  get generation(): number {
    return this.#generation.value;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The value stored under `key` in the current generation and not expired, else undefined. */
  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined || !this.#isCurrent(entry)) {
      if (entry !== undefined) this.#remove(key);
      this.#misses++;
      this.#meters.miss();
      return undefined;
    }
    // Re-inserted: now the most recently used.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#hits++;
    this.#meters.hit();
    return entry.value;
  }

  set(key: string, value: V): void {
    this.#store(key, value, this.#generation.value);
  }

  /** Forgets one entry (a product that changed); a load of it already running is not stored. */
  delete(key: string): boolean {
    this.#loads.delete(key);
    return this.#remove(key);
  }

  /** Invalidates every entry of every cache sharing the generation, in O(1). */
  bump(): void {
    this.#generation.bump();
  }

  /**
   * The cached value, or the one `load` makes, stored unless the cache was invalidated while it
   * ran (it may have read the data before the write). Concurrent misses of a key share one load.
   */
  async getOrLoad(key: string, load: () => Promise<V>): Promise<V> {
    const cached = this.get(key);
    if (cached !== undefined) return cached;
    const generation = this.#generation.value;
    const running = this.#loads.get(key);
    // A load begun before an invalidation may return what the write replaced: not joined.
    if (running?.generation === generation) return running.promise;
    const current: Load<V> = {
      generation,
      promise: load().then(
        (value) => {
          if (this.#loads.get(key) === current) {
            this.#loads.delete(key);
            this.#store(key, value, generation);
          }
          return value;
        },
        (error: unknown) => {
          if (this.#loads.get(key) === current) this.#loads.delete(key);
          throw error;
        },
      ),
    };
    this.#loads.set(key, current);
    return current.promise;
  }

  stats(): CacheStats {
    return {
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
      size: this.#entries.size,
    };
  }

  #isCurrent(entry: Entry<V>): boolean {
    if (entry.generation !== this.#generation.value) return false;
    return this.#ttlMs === undefined || this.#now() - entry.storedAt < this.#ttlMs;
  }

  #store(key: string, value: V, generation: number): void {
    // A value loaded under an older generation would be stale the moment it is stored.
    if (generation !== this.#generation.value) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, generation, storedAt: this.#now() });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
      this.#evictions++;
      this.#meters.evict();
    }
    this.#meters.size(this.#entries.size);
  }

  #remove(key: string): boolean {
    const removed = this.#entries.delete(key);
    if (removed) this.#meters.size(this.#entries.size);
    return removed;
  }
}

const LOOKUPS = 'cache_lookups_total';
const EVICTIONS = 'cache_evictions_total';
const ENTRIES = 'cache_entries';

/**
 * One set of metrics per registry, labelled by cache name: several caches share the metric names
 * (a registry refuses a second metric of the same name).
 */
function cacheMeters(registry: Registry, cache: string): CacheMeters {
  const lookups =
    (registry.getSingleMetric(LOOKUPS) as Counter<'cache' | 'result'> | undefined) ??
    new Counter({
      name: LOOKUPS,
      help: 'In-process cache lookups by cache and result (hit or miss)',
      labelNames: ['cache', 'result'] as const,
      registers: [registry],
    });
  const evictions =
    (registry.getSingleMetric(EVICTIONS) as Counter<'cache'> | undefined) ??
    new Counter({
      name: EVICTIONS,
      help: 'Entries dropped to stay within maxEntries, by cache',
      labelNames: ['cache'] as const,
      registers: [registry],
    });
  const entries =
    (registry.getSingleMetric(ENTRIES) as Gauge<'cache'> | undefined) ??
    new Gauge({
      name: ENTRIES,
      help: 'Entries held, by cache (stale ones included until they are looked up or evicted)',
      labelNames: ['cache'] as const,
      registers: [registry],
    });
  // Bound once: a lookup then costs an increment, not a label lookup.
  const hit = lookups.labels({ cache, result: 'hit' });
  const miss = lookups.labels({ cache, result: 'miss' });
  const evicted = evictions.labels({ cache });
  const held = entries.labels({ cache });
  hit.inc(0);
  miss.inc(0);
  evicted.inc(0);
  held.set(0);
  return {
    hit: () => hit.inc(),
    miss: () => miss.inc(),
    evict: () => evicted.inc(),
    size: (count) => held.set(count),
  };
}
