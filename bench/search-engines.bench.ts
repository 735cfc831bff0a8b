/**
 * Which embedded engine serves catalog search at a million products: product-service's index
 * (FlexSearch term -> documents, typed-array columns for filters, sort and facets) against
 * MiniSearch 7 used as a whole engine (its own scoring, filters as a callback). Each engine is
 * built and measured in a child process of its own, so heap figures don't mix and one running out
 * of memory doesn't stop the other. Prints build time, heap and RSS after build, and p50/p95 per
 * query shape, alone and with a category or price filter.
 * Run: `npm run bench:search-engines` (BENCH_PRODUCTS, default 1000000; BENCH_ENGINES, default all).
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import MiniSearch from 'minisearch';
import {
  generateCatalog,
  generateProduct,
} from '../product-service/src/catalog-generator/index.ts';
import { textWords } from '../product-service/src/search/text-index.ts';
import {
  createCatalogIndex,
  type IndexFilter,
  type IndexedProduct,
} from '../product-service/src/search/catalog-index.ts';

const PRODUCTS = Number(process.env.BENCH_PRODUCTS ?? 1_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
/** An engine still building after this long is reported as such (MiniSearch at 1M can take long). */
const TIMEOUT_SECONDS = Number(process.env.BENCH_TIMEOUT_S ?? 1800);
const ENGINES = ['index', 'minisearch'] as const;
type Engine = (typeof ENGINES)[number];

// ---- the catalog: product-service's generator (pure, product i the same everywhere) ----

const catalog = generateCatalog();

function product(i: number): IndexedProduct {
  const p = generateProduct(i, catalog);
  return {
    id: p.id,
    sellerId: p.sellerId,
    categoryId: p.categoryId,
    title: p.title,
    description: p.description,
    priceMinor: p.priceMinor,
    stock: p.stock,
    status: p.status,
    createdAt: p.createdAt,
    version: p.version,
    attributes: p.attributes,
  };
}

/** The two rarest words of one product's title, from word rates in a sample of the catalog. */
function rarePair(): string[] {
  const rate = new Map<string, number>();
  for (let i = 0; i < 20_000; i++) {
    const p = product(i * 37);
    for (const word of new Set(textWords(`${p.title} ${p.description}`))) {
      rate.set(word, (rate.get(word) ?? 0) + 1);
    }
  }
  const words = [...new Set(textWords(product(4242).title))].filter((w) => w.length > 2);
  return words.sort((a, b) => (rate.get(a) ?? 0) - (rate.get(b) ?? 0)).slice(0, 2);
}

// ---- query shapes ----

// Rates in the generated catalog: "travel" ~8% of products, "with" ~91%, "hea…" ~15%.
const QUERIES: [name: string, terms: string[]][] = [
  ['rare two words', rarePair()],
  ['common word', ['travel']],
  ['very common word', ['with']],
  ['prefix "hea"', ['hea']],
];
/** A root category's leaves (the caller expands a subtree) and a price range. */
const firstRoot = catalog.leaves[0]?.root;
const CATEGORY_FILTER = catalog.leaves
  .filter((leaf) => leaf.root === firstRoot)
  .map((leaf) => leaf.id);
const PRICE_FILTER = { minPrice: 1000, maxPrice: 9999 };
const VARIANTS: [name: string, filter: Omit<IndexFilter, 'terms'>][] = [
  ['', {}],
  [' + category', { categoryIds: CATEGORY_FILTER }],
  [' + price', PRICE_FILTER],
];
const PAGE = 20;

interface Result {
  engine: Engine;
  buildSeconds: number;
  heapMb: number;
  rssMb: number;
  rows: { name: string; p50: number; p95: number; hits: number }[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
}

function time(name: string, run: () => number): Result['rows'][number] {
  for (let i = 0; i < 3; i++) run();
  const samples: number[] = [];
  let hits = 0;
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    hits = run();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { name, p50: percentile(samples, 0.5), p95: percentile(samples, 0.95), hits };
}

function settle(): { heapMb: number; rssMb: number } {
  globalThis.gc?.();
  const usage = process.memoryUsage();
  return { heapMb: Math.round(usage.heapUsed / 2 ** 20), rssMb: Math.round(usage.rss / 2 ** 20) };
}

function measureIndex(): Result {
  const index = createCatalogIndex();
  const start = performance.now();
  for (let i = 0; i < PRODUCTS; i++) index.upsert(product(i));
  const buildSeconds = (performance.now() - start) / 1000;
  const memory = settle();
  const rows: Result['rows'] = [];
  for (const [query, terms] of QUERIES) {
    for (const [variant, filter] of VARIANTS) {
      rows.push(
        time(
          query + variant,
          () => index.search({ terms, ...filter }, { sort: 'relevance', limit: PAGE }).ids.length,
        ),
      );
    }
  }
  rows.push(
    time(
      'very common, newest',
      () => index.search({ terms: ['with'] }, { sort: 'newest', limit: PAGE }).ids.length,
    ),
  );
  rows.push(
    time(
      'no words, price_asc + category',
      () =>
        index.search(
          { terms: [], categoryIds: CATEGORY_FILTER },
          { sort: 'price_asc', limit: PAGE },
        ).ids.length,
    ),
  );
  rows.push(time('facets, unfiltered', () => index.facets({ terms: [] }).categories.length));
  rows.push(
    time('facets, very common word', () => index.facets({ terms: ['with'] }).categories.length),
  );
  let n = 0;
  rows.push(
    time('upsert (stock change)', () => {
      const changed = product(n++ % PRODUCTS);
      index.upsert({ ...changed, stock: changed.stock + 1, version: 2 + n });
      return 1;
    }),
  );
  rows.push(
    time('upsert (new title)', () => {
      const changed = product(n++ % PRODUCTS);
      index.upsert({ ...changed, title: `${changed.title} heavy`, version: 2 + n });
      return 1;
    }),
  );
  return { engine: 'index', buildSeconds, ...memory, rows };
}

interface MiniDoc {
  id: string;
  title: string;
  description: string;
  categoryId: string;
  priceMinor: number;
}

function measureMiniSearch(): Result {
  const engine = new MiniSearch<MiniDoc>({
    fields: ['title', 'description'],
    storeFields: ['categoryId', 'priceMinor'],
    // The same words as the index: lowercase letter/digit runs.
    tokenize: (text) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [],
    processTerm: (term) => term,
  });
  const start = performance.now();
  for (let i = 0; i < PRODUCTS; i++) {
    const p = product(i);
    if (p.status === 'active')
      engine.add({
        id: p.id,
        title: p.title,
        description: p.description,
        categoryId: p.categoryId,
        priceMinor: p.priceMinor,
      });
  }
  const buildSeconds = (performance.now() - start) / 1000;
  const memory = settle();
  const categories = new Set(CATEGORY_FILTER);
  const rows: Result['rows'] = [];
  for (const [query, terms] of QUERIES) {
    for (const [variant, filter] of VARIANTS) {
      const accepts = (r: Record<string, unknown>): boolean =>
        (!filter.categoryIds || categories.has(r.categoryId as string)) &&
        (filter.minPrice === undefined || (r.priceMinor as number) >= filter.minPrice) &&
        (filter.maxPrice === undefined || (r.priceMinor as number) <= filter.maxPrice);
      rows.push(
        time(
          query + variant,
          () =>
            engine
              .search(terms.join(' '), {
                combineWith: 'AND',
                boost: { title: 4 },
                prefix: (_term, i, all) => i === all.length - 1,
                filter: accepts,
              })
              .slice(0, PAGE).length,
        ),
      );
    }
  }
  return { engine: 'minisearch', buildSeconds, ...memory, rows };
}

function runChild(engine: Engine): Result | string {
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, '--expose-gc', fileURLToPath(import.meta.url)],
    {
      env: { ...process.env, BENCH_ENGINE: engine },
      encoding: 'utf8',
      maxBuffer: 16 * 2 ** 20,
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: TIMEOUT_SECONDS * 1000,
    },
  );
  if (child.error || child.signal === 'SIGTERM') return `not done within ${TIMEOUT_SECONDS} s`;
  if (child.status !== 0) return `failed (exit ${child.status ?? child.signal})`;
  return JSON.parse(child.stdout) as Result;
}

/**
 * A fixed loop's time and the load average, printed with the figures: on a shared machine they
 * tell how far the timings are from an idle one (this loop takes about 100 ms there).
 */
function machine(): string {
  const start = performance.now();
  let sum = 0;
  for (let i = 0; i < 1e8; i++) sum += i & 7;
  const ms = performance.now() - start;
  return `reference loop ${ms.toFixed(0)} ms (sum ${sum}), load average ${loadavg()[0]?.toFixed(1)}`;
}

function print(results: (Result | string)[], before: string): void {
  console.log(`\n${PRODUCTS} products, ${ROUNDS} rounds per query, page of ${PAGE}, times in ms`);
  console.log(`machine before: ${before}; after: ${machine()}\n`);
  const ok = results.filter((r): r is Result => typeof r !== 'string');
  console.log(['engine', 'build s', 'heap MB', 'RSS MB'].join(' | '));
  for (const [i, r] of results.entries()) {
    if (typeof r === 'string') console.log(`${ENGINES[i]} | ${r}`);
    else console.log([r.engine, r.buildSeconds.toFixed(1), r.heapMb, r.rssMb].join(' | '));
  }
  const names = [...new Set(ok.flatMap((r) => r.rows.map((row) => row.name)))];
  console.log(`\nquery | ${ok.map((r) => `${r.engine} p50 | p95 | hits`).join(' | ')}`);
  for (const name of names) {
    const cells = ok.map((r) => {
      const row = r.rows.find((x) => x.name === name);
      return row ? `${row.p50.toFixed(2)} | ${row.p95.toFixed(2)} | ${row.hits}` : '- | - | -';
    });
    console.log(`${name} | ${cells.join(' | ')}`);
  }
}

const only = process.env.BENCH_ENGINE as Engine | undefined;
if (only) {
  process.stdout.write(JSON.stringify(only === 'index' ? measureIndex() : measureMiniSearch()));
} else {
  const wanted = (process.env.BENCH_ENGINES?.split(',') ?? ENGINES) as Engine[];
  const before = machine();
  print(
    wanted.map((engine) => {
      console.error(`measuring ${engine}…`);
      return runChild(engine);
    }),
    before,
  );
}
