import { performance } from 'node:perf_hooks';
import { SingleClient, summarise, throughput, type Latency, type Throughput } from './measure.ts';
import type { CategoryNode, QueryPlan } from './queries.ts';
import type { RunningService } from './service.ts';

export const LATENCY_KINDS = [
  'search',
  'searchFiltered',
  'priceListing',
  'deepPage',
  'productRead',
  'facets',
  'listing',
] as const;
export type LatencyKind = (typeof LATENCY_KINDS)[number];

export interface SizeResult {
  label: string;
  readyMs: number;
  rssBytes: number;
  latency: Partial<Record<LatencyKind, Latency>>;
  throughput: Throughput;
  /** req/s of each throughput round, when there were several (the best is `throughput`). */
  rounds?: number[];
  /** The first failed request, if any, to show why a cell has errors. */
  firstError?: string;
}

export interface LoadOptions {
  connections: number;
  seconds: number;
}

export interface CatalogOptions extends LoadOptions {
  /** Per request: a slower answer counts as an error at this latency. */
  timeoutMs: number;
  /** Per kind: what is left when it is spent is not run (and shown as such). */
  budgetMs: number;
}

const LISTING = '/api/products?limit=20';
const DEEP_PAGE = 50;

/**
 * What today's code can answer, on it and on the new code with the same demo catalog: the default
 * listing repeated, one at a time, then its throughput in alternating rounds (the machine's other
 * work comes and goes; alternating spreads it over both), the best round kept.
 */
export async function measureListingPair(
  services: readonly { label: string; service: RunningService }[],
  load: LoadOptions,
  rounds: number,
): Promise<SizeResult[]> {
  const latencies: Latency[] = [];
  const errors: (string | undefined)[] = [];
  for (const { service } of services) {
    const client = new SingleClient(service.url);
    try {
      await client.time(Array.from({ length: 100 }, () => LISTING));
      latencies.push(await client.time(Array.from({ length: 200 }, () => LISTING)));
      errors.push(client.error);
    } finally {
      await client.close();
    }
  }
  const runs: Throughput[][] = services.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, { service }] of services.entries()) {
      runs[i]?.push(await throughput(service.url, LISTING, load.connections, load.seconds));
    }
  }
  return Promise.all(
    services.map(async ({ label, service }, i) => {
      const all = runs[i] ?? [];
      const best = all.reduce((a, b) => (b.rps > a.rps ? b : a));
      return {
        label,
        readyMs: service.readyMs,
        latency: { listing: latencies[i] },
        throughput: best,
        rounds: all.map((t) => t.rps),
        rssBytes: await service.rssBytes(),
        firstError: errors[i],
      };
    }),
  );
}

export async function categoryTree(service: RunningService): Promise<CategoryNode[]> {
  const client = new SingleClient(service.url);
  try {
    const answer = await client.get('/api/categories');
    if (answer.status !== 200) throw new Error(`GET /api/categories: ${answer.status}`);
    return JSON.parse(answer.body) as CategoryNode[];
  } finally {
    await client.close();
  }
}

/** Every kind of the plan, one request at a time, after the plan's warm-up. */
export async function measureCatalog(
  label: string,
  service: RunningService,
  plan: QueryPlan,
  options: CatalogOptions,
): Promise<SizeResult> {
  const { budgetMs } = options;
  const client = new SingleClient(service.url, options.timeoutMs);
  try {
    const warmed = performance.now();
    await client.time(plan.warmUp, budgetMs);
    process.stderr.write(
      `  warm-up: ${plan.warmUp.length} requests in ${((performance.now() - warmed) / 1000).toFixed(1)} s\n`,
    );
    const latency: SizeResult['latency'] = {};
    const kind = async (name: LatencyKind, work: () => Promise<Latency>): Promise<void> => {
      const started = performance.now();
      latency[name] = await work();
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      process.stderr.write(`  ${name}: ${seconds} s\n`);
    };
    await kind('search', () => client.time(plan.search, budgetMs));
    await kind('searchFiltered', () => client.time(plan.searchFiltered, budgetMs));
    await kind('productRead', () => client.time(plan.productReads, budgetMs));
    await kind('facets', () => client.time(plan.facets, budgetMs));
    await client.time(Array.from({ length: 50 }, () => LISTING));
    await kind('listing', () => client.time(Array.from({ length: 200 }, () => LISTING)));
    const load = await throughput(service.url, LISTING, options.connections, options.seconds);
    // Last: a listing that MySQL answers slowly leaves its query running after our timeout,
    // which would slow whatever is measured next.
    await kind('priceListing', () => client.time(plan.priceListing, budgetMs));
    await kind('deepPage', () => deepPages(client, plan.deepChains, budgetMs));
    return {
      label,
      readyMs: service.readyMs,
      latency,
      throughput: load,
      rssBytes: await service.rssBytes(),
      firstError: client.error,
    };
  } finally {
    await client.close();
  }
}

/** Follows each chain's nextCursor 49 times (untimed), then times page 50: one sample per chain. */
async function deepPages(
  client: SingleClient,
  chains: readonly string[],
  budgetMs: number,
): Promise<Latency> {
  const latencies: number[] = [];
  let errors = 0;
  let items = 0;
  let answered = 0;
  let notRun = 0;
  const until = performance.now() + budgetMs;
  for (const first of chains) {
    if (performance.now() > until) {
      notRun += 1;
      continue;
    }
    let path: string | undefined = first;
    for (let page = 1; page < DEEP_PAGE && path !== undefined; page++) {
      const answer = await client.get(path);
      const cursor =
        answer.status === 200
          ? (JSON.parse(answer.body) as { nextCursor: string | null }).nextCursor
          : null;
      if (answer.status !== 200) errors += 1;
      // No cursor: too few results to reach page 50 (small catalogs), so no sample, not a cheap one.
      path = cursor === null ? undefined : `${first}&cursor=${encodeURIComponent(cursor)}`;
    }
    if (path === undefined) continue;
    const started = performance.now();
    const answer = await client.get(path);
    latencies.push(performance.now() - started);
    if (answer.status !== 200) errors += 1;
    else {
      answered += 1;
      items += (JSON.parse(answer.body) as { items: unknown[] }).items.length;
    }
  }
  return { ...summarise(latencies, errors, items, answered), notRun };
}
