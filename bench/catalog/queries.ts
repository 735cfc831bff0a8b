import type { SampledProduct } from './database.ts';

/**
 * The fixed query lists, derived deterministically from a sample of the smallest catalog of the
 * run (its products are also in every larger one: the generator makes product i the same way
 * whatever N), so every size answers the same queries. Each list holds distinct queries, each
 * timed once: an answer cache in the service would only serve the throughput run, as it should.
 */
export interface QueryPlan {
  words: { veryCommon: string[]; common: string[]; rarePairs: string[]; prefixes: string[] };
  search: string[];
  searchFiltered: string[];
  priceListing: string[];
  facets: string[];
  productReads: string[];
  /** Listings whose cursor is followed to page 50 (sort and filter). */
  deepChains: string[];
  /** Requests of every kind, none of them timed later, to warm the JIT and the pools. */
  warmUp: string[];
}

export interface CategoryNode {
  slug: string;
  children: CategoryNode[];
}

const WORD = /[\p{L}\p{N}]+/gu;
const SORTS = ['relevance', 'newest', 'price_asc', 'price_desc'] as const;
const PER_CLASS = 13;

function words(text: string): string[] {
  // The service's own normalisation (src/domain/search-terms.ts); short words are left out as a
  // search engine may treat them as stop words, which would make those queries free.
  return (text.toLowerCase().match(WORD) ?? []).filter((w) => w.length >= 4);
}

/** `count` items spread evenly over `list` (all of it when shorter). */
function spread<T>(list: readonly T[], count: number): T[] {
  if (list.length <= count) return [...list];
  return Array.from({ length: count }, (_, i) => list[Math.floor((i * list.length) / count)] as T);
}

function documentFrequency(sample: readonly SampledProduct[]): Map<string, number> {
  const df = new Map<string, number>();
  for (const product of sample) {
    for (const word of new Set(words(product.text))) df.set(word, (df.get(word) ?? 0) + 1);
  }
  return df;
}

function chooseWords(sample: readonly SampledProduct[]): QueryPlan['words'] {
  const df = documentFrequency(sample);
  const n = sample.length;
  const byDf = [...df.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const share = (w: string): number => (df.get(w) ?? 0) / n;
  const veryCommon = byDf.filter(([, c]) => c / n >= 0.1).map(([w]) => w);
  const common = byDf.filter(([, c]) => c / n >= 0.01 && c / n < 0.05).map(([w]) => w);
  const rare = byDf.filter(([, c]) => c >= 2 && c <= Math.max(3, n * 0.0005)).map(([w]) => w);
  const rarePairs: string[] = [];
  for (const word of spread(rare, PER_CLASS * 3)) {
    if (rarePairs.length === PER_CLASS * 2) break;
    // Its partner comes from a product that has it, so the pair finds at least that product.
    const holder = sample.find((p) => words(p.text).includes(word));
    const partner = holder && words(holder.text).find((w) => w !== word && share(w) < 0.05);
    if (partner) rarePairs.push(`${word} ${partner}`);
  }
  const prefixDf = new Map<string, number>();
  for (const product of sample) {
    for (const prefix of new Set(words(product.text).map((w) => w.slice(0, 3)))) {
      prefixDf.set(prefix, (prefixDf.get(prefix) ?? 0) + 1);
    }
  }
  const prefixes = [...prefixDf.entries()]
    .filter(([p, c]) => c / n >= 0.02 && c / n <= 0.3 && !df.has(p))
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([p]) => p);
  // Twice as many as timed: the second half warms up.
  return {
    veryCommon: spread(veryCommon, PER_CLASS * 2),
    common: spread(common, PER_CLASS * 2),
    rarePairs,
    prefixes: spread(prefixes, PER_CLASS * 2),
  };
}

function evenOdd<T>(list: readonly T[]): { timed: T[]; warm: T[] } {
  return { timed: list.filter((_, i) => i % 2 === 0), warm: list.filter((_, i) => i % 2 === 1) };
}

/** Price ranges between the sample's price quantiles, in whole units of the currency. */
function priceRanges(sample: readonly SampledProduct[]): [number, number][] {
  const prices = sample.map((p) => p.priceMinor).sort((a, b) => a - b);
  const at = (q: number): number => {
    const minor = prices[Math.min(prices.length - 1, Math.floor(q * prices.length))] ?? 100;
    return Math.max(100, Math.round(minor / 100) * 100);
  };
  const ranges: [number, number][] = [];
  for (let i = 0; i <= 8; i++) ranges.push([at(i / 10), at((i + 2) / 10)]);
  ranges.push([at(0.05), at(0.95)]);
  return ranges;
}

function flatten(nodes: readonly CategoryNode[]): CategoryNode[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children)]);
}

const q = (text: string): string => `q=${encodeURIComponent(text)}`;

export function planQueries(sample: readonly SampledProduct[], tree: CategoryNode[]): QueryPlan {
  const chosen = chooseWords(sample);
  const classes = [chosen.veryCommon, chosen.common, chosen.rarePairs, chosen.prefixes];
  const timedWords = classes.flatMap((c) => evenOdd(c).timed);
  const warmWords = classes.flatMap((c) => evenOdd(c).warm);
  const roots = [...tree].sort((a, b) => a.slug.localeCompare(b.slug));
  const leaves = flatten(tree)
    .filter((c) => c.children.length === 0)
    .sort((a, b) => a.slug.localeCompare(b.slug));
  // Roots include their subtree: the expensive case of a category filter.
  const categories = [...spread(roots, 3), ...spread(leaves, 5)].map((c) => c.slug);
  const ranges = priceRanges(sample);
  const price = (i: number): string => {
    const [min, max] = ranges[i % ranges.length] ?? [0, 0];
    return `minPrice=${min}&maxPrice=${max}`;
  };
  const category = (i: number): string => `category=${categories[i % categories.length] ?? ''}`;
  const list = (query: string): string => `/api/products?${query}`;

  const search = timedWords.flatMap((w) => SORTS.map((s) => list(`${q(w)}&sort=${s}`)));
  const searchFiltered = timedWords.flatMap((w, i) =>
    [0, 1, 2, 3].map((j) => list(`${q(w)}&${category(i + j)}&${price(i * 4 + j)}`)),
  );
  const priceListing: string[] = [];
  for (let r = 0; r < ranges.length; r++) {
    for (const sort of SORTS.slice(1)) {
      priceListing.push(list(`${price(r)}&sort=${sort}`));
      priceListing.push(list(`${price(r)}&${category(r)}&sort=${sort}`));
      priceListing.push(list(`${price(r)}&${category(r + 3)}&sort=${sort}`));
      priceListing.push(list(`${price(r)}&inStock=true&sort=${sort}`));
    }
  }
  const facets = [
    ...categories.map((c) => list(`category=${c}&facets=true`)),
    ...timedWords.flatMap((w, i) => [
      list(`${q(w)}&facets=true`),
      list(`${q(w)}&${category(i)}&facets=true`),
      list(`${q(w)}&${price(i)}&facets=true`),
    ]),
  ];
  // Filters broad enough for 50 pages even in the smallest catalog.
  const chainFilters = [
    '',
    ...roots.slice(0, 2).map((r) => `category=${r.slug}&`),
    `${price(9)}&`,
    `${price(4)}&`,
  ];
  const deepChains = [
    ...chainFilters.flatMap((f) => SORTS.slice(1).map((s) => list(`${f}sort=${s}`))),
    ...spread(chosen.veryCommon, 3).map((w) => list(`${q(w)}&sort=relevance`)),
  ];
  const warmUp = warmWords.flatMap((w, i) => [
    list(q(w)),
    list(`${q(w)}&${category(i + 1)}&${price(i + 5)}`),
    list(`${q(w)}&${category(i + 2)}&facets=true`),
    list(`${price(i + 3)}&${category(i + 4)}&sort=${SORTS[i % 4] ?? 'newest'}`),
  ]);
  const products = evenOdd(spread(sample, 400).map((p) => `/api/products/${p.id}`));
  warmUp.push(...products.warm.slice(0, 50));
  return {
    words: {
      veryCommon: evenOdd(chosen.veryCommon).timed,
      common: evenOdd(chosen.common).timed,
      rarePairs: evenOdd(chosen.rarePairs).timed,
      prefixes: evenOdd(chosen.prefixes).timed,
    },
    search,
    searchFiltered,
    priceListing: spread(priceListing, 200),
    facets: spread(facets, 200),
    productReads: products.timed,
    deepChains,
    warmUp,
  };
}
