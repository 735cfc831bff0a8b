import type { Latency } from './measure.ts';
import type { LatencyKind, SizeResult } from './run.ts';

interface Row {
  kind: LatencyKind;
  name: string;
  /** p95 target in ms at 1M, single client; undefined: shown, not judged. */
  targetMs?: number;
}

// From the issue: search 50, filtered listing and deep page 20, product read 5, facets 100.
const ROWS: Row[] = [
  { kind: 'search', name: 'full-text search (4 query kinds × 4 sorts)', targetMs: 50 },
  { kind: 'searchFiltered', name: 'search + category + price', targetMs: 50 },
  { kind: 'priceListing', name: 'filtered listing by price', targetMs: 20 },
  { kind: 'deepPage', name: '50th page by cursor', targetMs: 20 },
  { kind: 'productRead', name: 'product read', targetMs: 5 },
  { kind: 'facets', name: 'facets', targetMs: 100 },
  { kind: 'listing', name: 'default listing (same request repeated)' },
];
const MAX_GROWTH = 3;
const THROUGHPUT_FACTOR = 3;

const cell = (l: Latency | undefined): string => {
  if (!l || l.samples === 0) return '–';
  const errors = l.errors > 0 ? ` (${l.errors} err)` : '';
  const notRun = l.notRun ? ` (${l.notRun} not run)` : '';
  return `${l.p50.toFixed(1)}/${l.p95.toFixed(1)}${errors}${notRun}`;
};

/** "10k", "1M": column headers. */
export function sizeLabel(size: number): string {
  if (size >= 1_000_000 && size % 1_000_000 === 0) return `${size / 1_000_000}M`;
  if (size >= 1000 && size % 1000 === 0) return `${size / 1000}k`;
  return String(size);
}

export function printCatalogTable(results: SizeResult[]): void {
  const first = results[0];
  const last = results.at(-1);
  if (!first || !last) return;
  const growthHeader = `growth ${first.label}→${last.label} (p95)`;
  console.log(
    `\n| measure, p50/p95 ms | ${results.map((r) => r.label).join(' | ')} | ${growthHeader} | target p95 at ${last.label} | verdict |`,
  );
  console.log(`| --- | ${results.map(() => '---:').join(' | ')} | ---: | ---: | --- |`);
  for (const row of ROWS) {
    const low = first.latency[row.kind];
    const high = last.latency[row.kind];
    const growth = low && high && results.length > 1 ? high.p95 / low.p95 : undefined;
    const failures: string[] = [];
    if (high && row.targetMs !== undefined) {
      if (high.p95 > row.targetMs) failures.push('FAIL p95');
      if (high.errors > 0 || (high.notRun ?? 0) > 0) failures.push('FAIL errors');
      if (growth !== undefined && growth > MAX_GROWTH) failures.push('FAIL growth');
    }
    const judged = high !== undefined && high.samples > 0 && row.targetMs !== undefined;
    const verdict = !judged ? '–' : failures.length > 0 ? failures.join(', ') : 'PASS';
    console.log(
      `| ${row.name} | ${results.map((r) => cell(r.latency[row.kind])).join(' | ')} | ${
        growth === undefined ? '–' : `${growth.toFixed(2)}×`
      } | ${row.targetMs === undefined ? '' : `≤ ${row.targetMs} ms, growth ≤ ${MAX_GROWTH}×`} | ${verdict} |`,
    );
  }
  const extra = (name: string, value: (r: SizeResult) => string): void =>
    console.log(`| ${name} | ${results.map(value).join(' | ')} | | | |`);
  extra('start to ready, s', (r) => (r.readyMs / 1000).toFixed(1));
  extra('product-service RSS after the run, MiB', (r) => (r.rssBytes / 2 ** 20).toFixed(0));
  extra('samples (search / filtered / price / deep page / read / facets)', (r) =>
    (['search', 'searchFiltered', 'priceListing', 'deepPage', 'productRead', 'facets'] as const)
      .map((k) => String(r.latency[k]?.samples ?? 0))
      .join(' / '),
  );
  extra('mean items per answer (search / filtered / facets)', (r) =>
    [r.latency.search, r.latency.searchFiltered, r.latency.facets]
      .map((l) => (l ? l.meanItems.toFixed(1) : '–'))
      .join(' / '),
  );
}

/** Listing throughput at N connections: today's code on the demo catalog vs the new at each size. */
export function printThroughputTable(
  baseline: SizeResult,
  results: SizeResult[],
  connections: number,
): void {
  console.log(
    `\n| GET /api/products?limit=20, ${connections} connections | req/s | p50 ms | p99 ms | errors | load avg | rounds, req/s | × baseline | target ≥ ${THROUGHPUT_FACTOR}× |`,
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const r of [baseline, ...results]) {
    const t = r.throughput;
    const ratio = t.rps / baseline.throughput.rps;
    const verdict =
      r === baseline ? '' : ratio >= THROUGHPUT_FACTOR && t.errors === 0 ? 'PASS' : 'FAIL';
    console.log(
      `| ${r.label} | ${t.rps.toFixed(0)} | ${t.p50.toFixed(1)} | ${t.p99.toFixed(1)} | ${t.errors} | ${t.loadAverage.toFixed(1)} | ${(r.rounds ?? [t.rps]).map((n) => n.toFixed(0)).join(', ')} | ${
        r === baseline ? '1.00' : ratio.toFixed(2)
      } | ${verdict} |`,
    );
  }
  console.log(
    `\n| default listing, single client, p50/p95 ms | ${[baseline, ...results].map((r) => r.label).join(' | ')} |`,
  );
  console.log(`| --- | ${[baseline, ...results].map(() => '---:').join(' | ')} |`);
  console.log(
    `| GET /api/products?limit=20 | ${[baseline, ...results].map((r) => cell(r.latency.listing)).join(' | ')} |`,
  );
}
