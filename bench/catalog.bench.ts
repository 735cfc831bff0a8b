/**
 * The catalog at 10k, 100k and 1M products: single-client p50/p95 of search, filtered search,
 * price listings, the 50th page by cursor, product reads and facets, straight to product-service;
 * and the default listing's throughput at 50 connections, against today's code (the baseline
 * commit, on its demo catalog) in the same run. Run: `npm run bench:catalog` (see bench/README.md).
 */
import { execFileSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  addBaselineWorktree,
  BASELINE_COMMIT,
  snapshotCheckout,
  type Worktree,
} from './catalog/checkouts.ts';
import {
  benchDatabases,
  catalogDatabaseName,
  dropBenchDatabase,
  loadCatalog,
  productCount,
  sampleProducts,
} from './catalog/database.ts';
import { planQueries, type QueryPlan } from './catalog/queries.ts';
import { printCatalogTable, printThroughputTable, sizeLabel } from './catalog/report.ts';
import {
  categoryTree,
  measureCatalog,
  measureListingPair,
  type SizeResult,
} from './catalog/run.ts';
import {
  scratchDatabaseName,
  startProductService,
  type RunningService,
} from './catalog/service.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SIZES = (process.env.BENCH_SIZES ?? '10000,100000,1000000')
  .split(',')
  .filter((s) => s.trim() !== '')
  .map((s) => Number(s.trim()))
  .sort((a, b) => a - b);
const KEEP_DB = process.env.BENCH_KEEP_DB !== '0';
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'warn';
const LOAD = {
  connections: Number(process.env.BENCH_CONNECTIONS ?? 50),
  seconds: Number(process.env.BENCH_SECONDS ?? 10),
};
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CATALOG = {
  ...LOAD,
  timeoutMs: Number(process.env.BENCH_TIMEOUT_MS ?? 10_000),
  budgetMs: Number(process.env.BENCH_KIND_BUDGET_S ?? 120) * 1000,
};
// The 1M catalog's index is built at start, on two shared cores.
const READY_TIMEOUT_MS = 20 * 60_000;
const SAMPLE = 10_000;

if (SIZES.some((n) => !Number.isInteger(n) || n < 1)) {
  throw new Error(`BENCH_SIZES must be positive integers, got "${process.env.BENCH_SIZES}"`);
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function withService<T>(
  options: { root: string; database: string; seedDemo: boolean },
  work: (service: RunningService) => Promise<T>,
): Promise<T> {
  const service = await startProductService({
    ...options,
    logLevel: LOG_LEVEL,
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
  log(`  ready in ${(service.readyMs / 1000).toFixed(1)} s`);
  try {
    return await work(service);
  } finally {
    await service.stop();
  }
}

/** Baseline and new side by side, each on a fresh demo catalog of its own (52 products). */
async function demoPair(baselineRoot: string, newRoot: string): Promise<SizeResult[]> {
  const [before, after] = [scratchDatabaseName('demo'), scratchDatabaseName('demo')];
  log(`demo: baseline on ${before}, new on ${after} (SEED_DEMO)`);
  try {
    const results = await withService(
      { root: baselineRoot, database: before, seedDemo: true },
      (baseline) =>
        withService({ root: newRoot, database: after, seedDemo: true }, (current) =>
          measureListingPair(
            [
              { label: `baseline ${BASELINE_COMMIT}, 52 demo`, service: baseline },
              { label: 'new, 52 demo', service: current },
            ],
            LOAD,
            ROUNDS,
          ),
        ),
    );
    results.forEach(logThroughput);
    return results;
  } finally {
    await dropBenchDatabase(before);
    await dropBenchDatabase(after);
  }
}

function logThroughput(r: SizeResult): void {
  const t = r.throughput;
  log(
    `  ${r.label}: listing ${t.rps.toFixed(0)} req/s (p99 ${t.p99.toFixed(1)} ms, ${t.errors} errors)`,
  );
}

async function ensureCatalog(root: string, size: number): Promise<string> {
  const database = catalogDatabaseName(size);
  const count = await productCount(database);
  if (count === size && KEEP_DB) {
    log(`${sizeLabel(size)}: ${database} already holds ${count} products, kept`);
    return database;
  }
  // The generator only adds: a larger or foreign catalog is dropped, not trimmed.
  if (count !== undefined && count > size) await dropBenchDatabase(database);
  log(`${sizeLabel(size)}: loading ${size} products into ${database}`);
  const ms = await loadCatalog(root, database, size);
  log(`${sizeLabel(size)}: loaded in ${(ms / 1000).toFixed(0)} s`);
  return database;
}

async function measureSize(
  root: string,
  size: number,
  planFor: (service: RunningService) => Promise<QueryPlan>,
): Promise<SizeResult> {
  const database = await ensureCatalog(root, size);
  const label = sizeLabel(size);
  log(`${label}: product-service on ${database}`);
  try {
    return await withService({ root, database, seedDemo: false }, async (service) => {
      const result = await measureCatalog(label, service, await planFor(service), CATALOG);
      logThroughput(result);
      return result;
    });
  } finally {
    if (!KEEP_DB) await dropBenchDatabase(database);
  }
}

async function dropAll(): Promise<void> {
  for (const database of await benchDatabases()) {
    await dropBenchDatabase(database);
    log(`dropped ${database}`);
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--drop')) return dropAll();
  const loadAtStart = loadavg()[0] ?? 0;
  // Before the run: the checkout may change while it runs, the snapshot does not.
  const checkout = describeCheckout();
  const current = await snapshotCheckout(ROOT);
  try {
    await run(
      current.root,
      `${checkout}; ${cpus().length} cores, load average ${loadAtStart.toFixed(1)} at start`,
    );
  } finally {
    await current.remove();
  }
}

async function run(root: string, context: string): Promise<void> {
  let worktree: Worktree | undefined;
  let demo: SizeResult[];
  try {
    worktree = await addBaselineWorktree(ROOT);
    demo = await demoPair(worktree.root, root);
  } finally {
    await worktree?.remove();
  }
  const [baseline, newDemo] = demo;
  if (!baseline || !newDemo) throw new Error('the demo pair gave no results');
  const results: SizeResult[] = [newDemo];
  // The plan comes from the smallest catalog and serves every size (the same queries).
  let plan: QueryPlan | undefined;
  const smallest = SIZES[0] ?? 0;
  const planOnce = async (service: RunningService): Promise<QueryPlan> => {
    plan ??= planQueries(
      await sampleProducts(catalogDatabaseName(smallest), SAMPLE),
      await categoryTree(service),
    );
    return plan;
  };
  const sized: SizeResult[] = [];
  const failed: string[] = [];
  for (const size of SIZES) {
    // One size failing (out of memory at 1M, say) still leaves the others' figures.
    const result = await measureSize(root, size, planOnce).catch((error: unknown) => {
      failed.push(`${sizeLabel(size)}: ${error instanceof Error ? error.message : String(error)}`);
      log(failed.at(-1) ?? '');
    });
    if (result) sized.push(result);
  }
  results.push(...sized);
  if (plan) printPlan(plan);
  console.log(
    `\nnode ${process.version}, ${LOAD.connections} connections for ${LOAD.seconds} s; the load ` +
      `generator runs in this process and shares the machine's cores with product-service; ` +
      `LOG_LEVEL=${LOG_LEVEL}; baseline = product-service at ${BASELINE_COMMIT}, ${context}, ` +
      `${(loadavg()[0] ?? 0).toFixed(1)} at the end (other work on the machine shifts every figure)`,
  );
  printCatalogTable(sized);
  printThroughputTable(baseline, results, LOAD.connections);
  const errors = [baseline, ...results].filter((r) => r.firstError);
  for (const r of errors) console.log(`\nfirst error at ${r.label}: ${r.firstError ?? ''}`);
  for (const line of failed) console.log(`\nFAILED ${line.slice(0, 2000)}`);
}

/** What "new" was: the checkout's commit, and whether product-service had uncommitted changes. */
function describeCheckout(): string {
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
  const dirty = git('status', '--porcelain', '--', 'product-service', 'libs') !== '';
  return `new = ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' + uncommitted changes' : ''}`;
}

function printPlan(plan: QueryPlan): void {
  const { words } = plan;
  console.log('\nqueries (from the smallest catalog, the same for every size):');
  console.log(`  very common: ${words.veryCommon.join(', ')}`);
  console.log(`  common: ${words.common.join(', ')}`);
  console.log(`  rare pairs: ${words.rarePairs.join(', ')}`);
  console.log(`  prefixes: ${words.prefixes.join(', ')}`);
  const counts = [
    ['search', plan.search.length],
    ['search+filters', plan.searchFiltered.length],
    ['price listing', plan.priceListing.length],
    ['deep-page chains', plan.deepChains.length],
    ['product reads', plan.productReads.length],
    ['facets', plan.facets.length],
  ];
  console.log(`  distinct requests per kind: ${counts.map(([k, n]) => `${k} ${n}`).join(', ')}`);
}

await main();
