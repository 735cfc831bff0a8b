import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CacheGeneration, VersionedCache } from './versioned-cache.ts';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('VersionedCache', () => {
  it('when a value is stored, then it is found until it is deleted', () => {
    const cache = new VersionedCache<string>({ name: 't', maxEntries: 10 });
    cache.set('a', 'A');
    expect(cache.get('a')).toBe('A');
    expect(cache.delete('a')).toBe(true);
    expect(cache.get('a')).toBeUndefined();
  });

  it('when more than maxEntries are stored, then the least recently used goes first', () => {
    const cache = new VersionedCache<number>({ name: 't', maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');
    cache.set('c', 3);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
    expect(cache.stats()).toMatchObject({ evictions: 1, size: 2 });
  });

  it('when the generation is bumped, then every cache sharing it misses', () => {
    const generation = new CacheGeneration();
    const listings = new VersionedCache<string>({ name: 'l', maxEntries: 10, generation });
    const facets = new VersionedCache<string>({ name: 'f', maxEntries: 10, generation });
    listings.set('q=lamp', 'page');
    facets.set('q=lamp', 'facets');
    listings.bump();
    expect(listings.get('q=lamp')).toBeUndefined();
    expect(facets.get('q=lamp')).toBeUndefined();
    listings.set('q=lamp', 'new page');
    expect(listings.get('q=lamp')).toBe('new page');
    expect(listings.generation).toBe(1);
  });

  it('when an entry is older than ttlMs, then it is a miss', () => {
    let now = 1_000;
    const cache = new VersionedCache<string>({
      name: 't',
      maxEntries: 10,
      ttlMs: 100,
      now: () => now,
    });
    cache.set('a', 'A');
    now += 99;
    expect(cache.get('a')).toBe('A');
    now += 1;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('when misses of one key overlap, then they share one load and it is stored', async () => {
    const cache = new VersionedCache<string>({ name: 't', maxEntries: 10 });
    let loads = 0;
    const gate = deferred<string>();
    const load = () => {
      loads++;
      return gate.promise;
    };
    const first = cache.getOrLoad('a', load);
    const second = cache.getOrLoad('a', load);
    gate.resolve('A');
    expect(await Promise.all([first, second])).toEqual(['A', 'A']);
    expect(loads).toBe(1);
    expect(cache.get('a')).toBe('A');
  });

  it('when the cache is bumped while a load runs, then its result is returned but not stored', async () => {
    const cache = new VersionedCache<string>({ name: 't', maxEntries: 10 });
    const stale = deferred<string>();
    const running = cache.getOrLoad('a', () => stale.promise);
    cache.bump();
    // A request after the write must not join the load that began before it.
    const fresh = cache.getOrLoad('a', async () => 'fresh');
    stale.resolve('stale');
    expect(await running).toBe('stale');
    expect(await fresh).toBe('fresh');
    expect(cache.get('a')).toBe('fresh');
  });

  it('when a key is deleted while its load runs, then the loaded value is not stored', async () => {
    const cache = new VersionedCache<string>({ name: 't', maxEntries: 10 });
    const stale = deferred<string>();
    const running = cache.getOrLoad('a', () => stale.promise);
    cache.delete('a');
    stale.resolve('stale');
    await running;
    expect(cache.get('a')).toBeUndefined();
  });

  it('when a load fails, then nothing is stored and the next call loads again', async () => {
    const cache = new VersionedCache<string>({ name: 't', maxEntries: 10 });
    await expect(cache.getOrLoad('a', () => Promise.reject(new Error('db down')))).rejects.toThrow(
      'db down',
    );
    expect(await cache.getOrLoad('a', async () => 'A')).toBe('A');
  });

  it('when a registry is given, then hits, misses and evictions are Prometheus metrics per cache', async () => {
    const registry = new Registry();
    const listings = new VersionedCache<string>({ name: 'listings', maxEntries: 1, registry });
    const products = new VersionedCache<string>({ name: 'products', maxEntries: 5, registry });
    listings.set('a', 'A');
    listings.get('a');
    listings.get('b');
    listings.set('b', 'B');
    products.get('x');
    const text = await registry.metrics();
    expect(text).toContain('cache_lookups_total{cache="listings",result="hit"} 1');
    expect(text).toContain('cache_lookups_total{cache="listings",result="miss"} 1');
    expect(text).toContain('cache_lookups_total{cache="products",result="miss"} 1');
    expect(text).toContain('cache_lookups_total{cache="products",result="hit"} 0');
    expect(text).toContain('cache_evictions_total{cache="listings"} 1');
    expect(text).toContain('cache_entries{cache="listings"} 1');
  });

  it('when maxEntries is not a positive integer, then construction fails naming the cache', () => {
    expect(() => new VersionedCache({ name: 'listings', maxEntries: 0 })).toThrow(/listings/);
  });
});
