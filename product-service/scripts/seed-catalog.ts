/**
 * `npm run seed:catalog -- --products N`: loads the first N products of the synthetic catalog
 * (src/catalog-generator) into product-service's database, with its categories and sellers.
 *
 * Idempotent per N: rows are keyed by ids made from the product index and inserted with INSERT
 * IGNORE, so a second run changes nothing and a larger N adds only the rest. Rows get
 * `updated_at = NOW(3)`, so the service's search index picks them up by its catch-up scan.
 * Reads MYSQL_URL and DB_NAME as the service does (its loadConfig; development defaults apply).
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { sql, type InsertObject, type Kysely } from 'kysely';
import { createDb, prepareDatabase } from '@marketplace/db';
import { ConfigError, isProduction } from '@marketplace/service-kit';
import { migrations } from '../migrations/index.ts';
import {
  generateCatalog,
  generatedProductId,
  generateProduct,
  type GeneratedCatalog,
} from '../src/catalog-generator/index.ts';
import { loadConfig } from '../src/config.ts';
import type { DB } from '../src/data/schema.ts';
import { seedCategories } from '../src/demo/seed.ts';

export const MAX_PRODUCTS = 10_000_000;
const BATCH_SIZE = 1000;
// A few batches in flight keep the server busy while this process generates the next ones.
const CONCURRENCY = 3;

export interface SeedOptions {
  url: string;
  database: string;
  products: number;
  /** Called after each batch with the products done (inserted or already there) so far. */
  onProgress?: (done: number, total: number) => void;
}

export interface SeedResult {
  inserted: number;
  existing: number;
  categories: number;
  sellers: number;
}

/** Loads products 0..N-1 (and the categories and sellers they need); see the file comment. */
export async function seedCatalog(options: SeedOptions): Promise<SeedResult> {
  const { url, database, products } = options;
  await prepareDatabase<DB>({ url, database }, migrations, seedCategories);
  const db = createDb<DB>({ url, database, poolSize: CONCURRENCY });
  try {
    const catalog = generateCatalog();
    await insertCategories(db, catalog);
    await insertSellers(db, catalog);
    const counts = await insertProducts(db, catalog, products, options.onProgress);
    return { ...counts, categories: catalog.categories.length, sellers: catalog.sellers.length };
  } finally {
    await db.destroy();
  }
}

async function insertCategories(db: Kysely<DB>, catalog: GeneratedCatalog): Promise<void> {
  await db
    .insertInto('categories')
    .ignore()
    .values(
      catalog.categories.map((c) => ({
        id: c.id,
        parent_id: c.parentId,
        slug: c.slug,
        name: c.name,
        position: c.position,
      })),
    )
    .execute();
  // INSERT IGNORE also skips a slug an admin already gave to a category of their own; its
  // products would then point at a category that does not exist.
  const stored = await db
    .selectFrom('categories')
    .select(['id', 'slug'])
    .where(
      'slug',
      'in',
      catalog.categories.map((c) => c.slug),
    )
    .execute();
  const idOf = new Map(stored.map((row) => [row.slug, row.id]));
  const taken = catalog.categories.filter((c) => idOf.get(c.slug) !== c.id).map((c) => c.slug);
  if (taken.length > 0) {
    throw new Error(
      `categories with these slugs already exist under other ids: ${taken.join(', ')}; ` +
        'rename or delete them, or seed another database (DB_NAME)',
    );
  }
}

async function insertSellers(db: Kysely<DB>, catalog: GeneratedCatalog): Promise<void> {
  await db
    .insertInto('sellers')
    .ignore()
    .values(
      catalog.sellers.map((s) => ({
        seller_id: s.id,
        name: s.name,
        renamed_at: s.registeredAt,
        registered_at: s.registeredAt,
      })),
    )
    .execute();
}

function rowsOf(
  catalog: GeneratedCatalog,
  indexes: readonly number[],
): InsertObject<DB, 'products'>[] {
  const rows: InsertObject<DB, 'products'>[] = [];
  for (const index of indexes) {
    const p = generateProduct(index, catalog);
    rows.push({
      id: p.id,
      seller_id: p.sellerId,
      seller_name: p.sellerName,
      category_id: p.categoryId,
      title: p.title,
      description: p.description,
      price_minor: p.priceMinor,
      currency: p.currency,
      stock: p.stock,
      images: JSON.stringify(p.images),
      attributes: JSON.stringify(p.attributes),
      status: p.status,
      version: p.version,
      created_at: p.createdAt,
      updated_at: sql<Date>`NOW(3)`,
    });
  }
  return rows;
}

/** One batch: the indexes in [start, end) whose product is not stored yet, in one statement. */
async function loadBatch(
  db: Kysely<DB>,
  catalog: GeneratedCatalog,
  start: number,
  end: number,
): Promise<number> {
  // Ids sort by index, so one range scan of the primary key finds what a previous run stored.
  const stored = await db
    .selectFrom('products')
    .select('id')
    .where('id', '>=', generatedProductId(start))
    .where('id', '<=', generatedProductId(end - 1))
    .execute();
  const have = new Set(stored.map((row) => row.id));
  const missing: number[] = [];
  for (let i = start; i < end; i++) if (!have.has(generatedProductId(i))) missing.push(i);
  if (missing.length === 0) return 0;
  await db.insertInto('products').ignore().values(rowsOf(catalog, missing)).execute();
  return missing.length;
}

async function insertProducts(
  db: Kysely<DB>,
  catalog: GeneratedCatalog,
  total: number,
  onProgress?: (done: number, total: number) => void,
): Promise<{ inserted: number; existing: number }> {
  let next = 0;
  let done = 0;
  let inserted = 0;
  const worker = async () => {
    while (next < total) {
      const start = next;
      const end = Math.min(total, start + BATCH_SIZE);
      next = end;
      // Awaited first: `inserted += await …` would add to the value read before the wait.
      const added = await loadBatch(db, catalog, start, end);
      inserted += added;
      done += end - start;
      onProgress?.(done, total);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return { inserted, existing: total - inserted };
}

// --- the command line -------------------------------------------------------------------------

const USAGE = `Usage: npm run seed:catalog -- --products N

Loads the first N products of the synthetic catalog (with its 52 categories and 300 sellers)
into product-service's database. Idempotent: the same N twice changes nothing, a larger N adds
the rest. N is 1..${MAX_PRODUCTS.toLocaleString('en')} (1_000_000 and 1,000,000 are accepted).

Environment (as product-service reads it):
  MYSQL_URL  server URL (default mysql://root@127.0.0.1:3306)
  DB_NAME    database (default marketplace_products)`;

class UsageError extends Error {}

export function parseProducts(argv: readonly string[]): number | 'help' {
  let values: { products?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { products: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return 'help';
  if (values.products === undefined) throw new UsageError('--products N is required');
  const digits = values.products.replace(/[_,]/g, '');
  const products = /^\d+$/.test(digits) ? Number(digits) : NaN;
  if (!Number.isSafeInteger(products) || products < 1 || products > MAX_PRODUCTS) {
    throw new UsageError(
      `--products must be a whole number from 1 to ${MAX_PRODUCTS}, got "${values.products}"`,
    );
  }
  return products;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** A progress bar on stderr: redrawn in place on a terminal, a line every 5 s otherwise. */
function progressBar(stream: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let lastDraw = 0;
  return (done: number, total: number) => {
    const now = Date.now();
    const finished = done === total;
    if (!finished && now - lastDraw < (stream.isTTY ? 200 : 5000)) return;
    lastDraw = now;
    const elapsed = (now - started) / 1000;
    const rate = done / Math.max(elapsed, 0.001);
    const width = 30;
    const filled = Math.round((done / total) * width);
    const line =
      `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` +
      `${((done / total) * 100).toFixed(1)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')} ` +
      `${Math.round(rate).toLocaleString('en')}/s ` +
      (finished ? `in ${formatDuration(elapsed)}` : `ETA ${formatDuration((total - done) / rate)}`);
    stream.write(stream.isTTY ? `\r${line}\x1b[K${finished ? '\n' : ''}` : `${line}\n`);
  };
}

async function main(argv: readonly string[]): Promise<number> {
  try {
    const products = parseProducts(argv);
    if (products === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (isProduction()) {
      throw new UsageError('refused with NODE_ENV=production: this loads synthetic products');
    }
    const config = loadConfig();
    const started = Date.now();
    const result = await seedCatalog({
      url: config.MYSQL_URL,
      database: config.DB_NAME,
      products,
      onProgress: progressBar(),
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `seeded ${config.DB_NAME}: ${products} products (${result.inserted} new, ` +
        `${result.existing} already there), ${result.categories} categories, ` +
        `${result.sellers} sellers in ${seconds} s\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`seed:catalog: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    const message = error instanceof ConfigError || error instanceof Error ? error.message : error;
    process.stderr.write(`seed:catalog failed: ${String(message)}\n`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
