/**
 * Lighthouse on the SPA as a running system serves it: the catalog, a product page and the cart
 * (with one product in it), each in a fresh headless Chromium with Lighthouse's default settings
 * (mobile form factor, simulated slow 4G and 4x CPU throttling). Prints a Markdown table of the
 * category scores and the load metrics, then what each page failed, and writes both to
 * bench/results/lighthouse-<date>.md. Scores are reported, not asserted: it exits non-zero only
 * when a page could not be measured. Run: `npm run bench:lighthouse` against `npm start`.
 *
 * Knobs: GATEWAY_URL (http://127.0.0.1:8080), CHROMIUM_PATH (/usr/bin/chromium), BENCH_RUNS (1:
 * runs per page, the median by performance score is kept), LIGHTHOUSE_JSON_DIR (unset: where to
 * keep each full JSON report).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Product } from '@marketplace/contracts';
import { launch, type LaunchedChrome } from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { format, resolveConfig } from 'prettier';
import puppeteer from 'puppeteer-core';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BASE = (process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 1));
const JSON_DIR = process.env.LIGHTHOUSE_JSON_DIR;
/** The cart store's key and line shape (frontend/src/stores/cart.ts). */
const CART_KEY = 'marketplace.cart';
const CART_FIELDS = [
  'id',
  'title',
  'priceMinor',
  'currency',
  'sellerId',
  'sellerName',
  'stock',
  'images',
] as const;

type Report = NonNullable<Awaited<ReturnType<typeof lighthouse>>>['lhr'];
type Audit = Report['audits'][string];

interface Page {
  name: string;
  path: string;
  /** localStorage entries set on the origin before the run (Lighthouse keeps localStorage). */
  storage?: Record<string, string>;
}

interface Row {
  page: string;
  url: string;
  report?: Report;
  error?: string;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function firstProduct(): Promise<Product | null> {
  const response = await fetch(`${BASE}/api/products?limit=1`);
  if (!response.ok) throw new Error(`GET ${BASE}/api/products?limit=1: ${response.status}`);
  const page = (await response.json()) as { items: Product[] };
  return page.items[0] ?? null;
}

function cartWith(product: Product): string {
  const snapshot = Object.fromEntries(CART_FIELDS.map((field) => [field, product[field]]));
  return JSON.stringify([
    { product: { ...snapshot, images: product.images.slice(0, 1) }, quantity: 1 },
  ]);
}

async function pages(): Promise<Page[]> {
  const product = await firstProduct();
  if (!product) log('The catalog is empty: no product page, and the cart page is measured empty.');
  return [
    { name: 'catalog', path: '/' },
    ...(product ? [{ name: 'product', path: `/products/${product.id}` }] : []),
    { name: 'cart', path: '/cart', storage: product ? { [CART_KEY]: cartWith(product) } : {} },
  ];
}

/** Sets localStorage on the page's origin from a light same-origin URL (no SPA assets cached). */
async function seedStorage(chrome: LaunchedChrome, storage: Record<string, string>): Promise<void> {
  const browser = await puppeteer.connect({ browserURL: `http://127.0.0.1:${chrome.port}` });
  try {
    const tab = await browser.newPage();
    await tab.goto(`${BASE}/robots.txt`);
    // Runs in the page: the bench is compiled without the DOM library, hence the shape.
    await tab.evaluate((entries: Record<string, string>) => {
      const { localStorage } = globalThis as unknown as {
        localStorage: { setItem: (key: string, value: string) => void };
      };
      for (const [key, value] of Object.entries(entries)) localStorage.setItem(key, value);
    }, storage);
    await tab.close();
  } finally {
    await browser.disconnect();
  }
}

/** One Lighthouse run in a Chromium of its own: nothing cached from an earlier page. */
async function measure(page: Page): Promise<Report> {
  const chrome = await launch({
    chromePath: CHROMIUM,
    chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    if (page.storage && Object.keys(page.storage).length > 0) {
      await seedStorage(chrome, page.storage);
    }
    // No config: Lighthouse's defaults (mobile, simulated throttling, all four categories).
    const result = await lighthouse(`${BASE}${page.path}`, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
    });
    if (!result) throw new Error('Lighthouse returned no result');
    return result.lhr;
  } finally {
    chrome.kill();
  }
}

function median(reports: Report[]): Report {
  const sorted = [...reports].sort(
    (a, b) => (a.categories.performance?.score ?? 0) - (b.categories.performance?.score ?? 0),
  );
  return sorted[Math.floor(sorted.length / 2)]!;
}

const score = (report: Report, category: string): string => {
  const value = report.categories[category]?.score;
  return value === null || value === undefined ? '–' : String(Math.round(value * 100));
};

const millis = (audit: Audit | undefined): string =>
  audit?.numericValue === undefined ? '–' : `${Math.round(audit.numericValue)} ms`;

/** JavaScript bytes over the wire (compressed when the server compressed them). */
function transferredScript(report: Report): string {
  const details = report.audits['network-requests']?.details as
    { items?: { resourceType?: string; transferSize?: number }[] } | undefined;
  const bytes = (details?.items ?? [])
    .filter((item) => item.resourceType === 'Script')
    .reduce((sum, item) => sum + (item.transferSize ?? 0), 0);
  return `${(bytes / 1024).toFixed(1)} KB`;
}

function table(rows: Row[]): string {
  const header = [
    'page',
    'performance',
    'accessibility',
    'best practices',
    'SEO',
    'FCP',
    'LCP',
    'TBT',
    'CLS',
    'transferred JS',
  ];
  const lines = rows.map(({ page, report, error }) => {
    if (!report)
      return [page, `not measured: ${error ?? 'unknown error'}`, ...header.slice(2).map(() => '')];
    const cls = report.audits['cumulative-layout-shift']?.numericValue;
    return [
      page,
      score(report, 'performance'),
      score(report, 'accessibility'),
      score(report, 'best-practices'),
      score(report, 'seo'),
      millis(report.audits['first-contentful-paint']),
      millis(report.audits['largest-contentful-paint']),
      millis(report.audits['total-blocking-time']),
      cls === undefined ? '–' : cls.toFixed(3),
      transferredScript(report),
    ];
  });
  return [header, header.map(() => '---'), ...lines]
    .map((cells) => `| ${cells.join(' | ')} |`)
    .join('\n');
}

/** The selectors (or URLs) an audit's table names, so the owner of the page knows where to look. */
function where(audit: Audit): string {
  const details = audit.details as
    | {
        items?: {
          node?: { selector?: string; explanation?: string };
          url?: string;
          source?: { url?: string };
        }[];
      }
    | undefined;
  const items = details?.items ?? [];
  const places = items
    .map((item) => item.node?.selector ?? item.url ?? item.source?.url)
    .filter((place): place is string => typeof place === 'string' && place !== '')
    .map((place) => place.replace(BASE, ''));
  const unique = [...new Set(places)];
  if (unique.length === 0) return '';
  const shown = unique.slice(0, 6).map((place) => `\`${place.replace(/`/g, "'")}\``);
  // axe says why the first element fails (a contrast ratio and its colours, a heading level).
  const why = items[0]?.node?.explanation
    ?.split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '' && !/^Fix (any|all) of the following:?$/.test(line));
  return (
    `: ${shown.join(', ')}${unique.length > 6 ? `, and ${unique.length - 6} more` : ''}` +
    (why ? ` (${why})` : '')
  );
}

/** Informative audits worth reading when they found something (they carry no score). */
const NOTEWORTHY = new Set(['layout-shifts']);

function failed(audit: Audit | undefined, category: string): audit is Audit {
  if (!audit) return false;
  if (NOTEWORTHY.has(audit.id)) {
    return ((audit.details as { items?: unknown[] } | undefined)?.items ?? []).length > 0;
  }
  return (
    audit.score !== null &&
    audit.score < (category === 'performance' ? 0.9 : 1) &&
    !['informative', 'notApplicable', 'manual'].includes(audit.scoreDisplayMode)
  );
}

/** The audits each page fails (or, for performance advice, scores under 0.9 on), by category. */
function findings(rows: Row[]): string {
  const sections = rows.flatMap(({ page, report }) => {
    if (!report) return [];
    const lines = Object.entries(report.categories).flatMap(([id, category]) =>
      category.auditRefs
        .filter((ref) => ref.group !== 'metrics' && ref.group !== 'hidden')
        .map((ref) => report.audits[ref.id])
        .filter((audit): audit is Audit => failed(audit, id))
        .map(
          (audit) =>
            `- ${category.title}: **${audit.title}**${audit.displayValue ? ` (${audit.displayValue})` : ''}${where(audit)}`,
        ),
    );
    return [`### ${page}`, '', ...(lines.length > 0 ? lines : ['Nothing failed.']), ''];
  });
  return sections.join('\n');
}

/** Lighthouse's own measure of the CPU it ran on, per page (higher is faster). */
function benchmarkIndexes(rows: Row[]): string {
  const measured = rows.filter((row) => row.report);
  return measured
    .map(({ page, report }) => `${page} ${Math.round(report!.environment.benchmarkIndex)}`)
    .join(', ');
}

function commit(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT }).toString().trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    return 'unknown';
  }
}

function chromiumVersion(): string {
  try {
    return execFileSync(CHROMIUM, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return CHROMIUM;
  }
}

const lighthouseVersion = (
  JSON.parse(readFileSync(join(ROOT, 'node_modules/lighthouse/package.json'), 'utf8')) as {
    version: string;
  }
).version;

const startedAt = new Date();
const rows: Row[] = [];
for (const page of await pages()) {
  const url = `${BASE}${page.path}`;
  const reports: Report[] = [];
  let error: string | undefined;
  for (let run = 1; run <= RUNS; run++) {
    log(`lighthouse ${page.name} (${url}), run ${run}/${RUNS}`);
    try {
      const report = await measure(page);
      if (report.runtimeError) {
        error = `${report.runtimeError.code}: ${report.runtimeError.message}`;
        log(`  ${error}`);
        continue;
      }
      reports.push(report);
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught);
      log(`  failed: ${error}`);
    }
  }
  const report = reports.length > 0 ? median(reports) : undefined;
  if (report && JSON_DIR) {
    mkdirSync(JSON_DIR, { recursive: true });
    writeFileSync(join(JSON_DIR, `lighthouse-${page.name}.json`), JSON.stringify(report));
  }
  rows.push({ page: page.name, url, report, error });
}

const markdown = [
  `# Lighthouse on ${BASE}`,
  '',
  `${startedAt.toISOString()}, commit ${commit()}, Lighthouse ${lighthouseVersion}, ${chromiumVersion()}; ` +
    `default settings (mobile, simulated throttling), median of ${RUNS} run(s) per page; ` +
    `load average ${loadavg()
      .map((n) => n.toFixed(1))
      .join(' ')}, Lighthouse's benchmark index ${benchmarkIndexes(rows)}. ` +
    'The simulated 4x CPU slowdown assumes a desktop-class machine (index 1000 and more): on a ' +
    'slower or busier one TBT and LCP come out higher, so compare runs made side by side.',
  '',
  'Pages: ' +
    rows.map(({ page, url }) => `${page} \`${url.replace(BASE, '')}\``).join(', ') +
    (rows.some((row) => row.page === 'cart')
      ? ' (the cart holds one product, set in localStorage before the run).'
      : '.'),
  '',
  table(rows),
  '',
  '## What Lighthouse flags',
  '',
  findings(rows),
].join('\n');

const formatted = await format(markdown, {
  ...(await resolveConfig(join(ROOT, 'bench/results/x.md'))),
  parser: 'markdown',
});
process.stdout.write(formatted);
const resultsDir = join(ROOT, 'bench/results');
mkdirSync(resultsDir, { recursive: true });
const file = join(resultsDir, `lighthouse-${startedAt.toISOString().slice(0, 10)}.md`);
writeFileSync(file, formatted);
log(`written to ${file}`);
if (rows.some((row) => !row.report)) process.exitCode = 1;
