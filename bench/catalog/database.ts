import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { sql } from 'kysely';
import { dropDatabase, withDb } from '@marketplace/db';
import { TEST_MYSQL_URL } from '@marketplace/testing';
import { BENCH_DB_PREFIX } from './service.ts';

/** The columns this bench reads (product-service owns the schema). */
interface BenchDb {
  products: {
    id: string;
    title: string;
    description: string;
    price_minor: number;
    status: string;
  };
}

/** The database of one catalog size: the same name every run, so a loaded catalog is reused. */
export function catalogDatabaseName(size: number): string {
  return `${BENCH_DB_PREFIX}${size}`;
}

export async function productCount(database: string): Promise<number | undefined> {
  const exists = await withDb<BenchDb, boolean>(
    { url: TEST_MYSQL_URL, database: 'information_schema' },
    async (db) => {
      const { rows } = await sql<{ n: number }>`
        SELECT COUNT(*) AS n FROM information_schema.tables
        WHERE table_schema = ${database} AND table_name = 'products'`.execute(db);
      return Number(rows[0]?.n ?? 0) > 0;
    },
  );
  if (!exists) return undefined;
  return withDb<BenchDb, number>({ url: TEST_MYSQL_URL, database }, async (db) => {
    const row = await db
      .selectFrom('products')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  });
}

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/**
 * Fills `database` with `size` generated products through the catalog generator's own CLI
 * (idempotent: a partly loaded database gets the rest). Its progress bar goes to our stderr.
 */
export async function loadCatalog(root: string, database: string, size: number): Promise<number> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', tsxLoader, 'product-service/scripts/seed-catalog.ts', '--products', String(size)],
    {
      cwd: root,
      env: { ...process.env, MYSQL_URL: TEST_MYSQL_URL, DB_NAME: database },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`seed-catalog --products ${size} exited with ${code}`);
  return performance.now() - started;
}

export interface SampledProduct {
  id: string;
  text: string;
  priceMinor: number;
}

/** Up to `limit` active products of a catalog, by id. */
export async function sampleProducts(database: string, limit: number): Promise<SampledProduct[]> {
  return withDb<BenchDb, SampledProduct[]>({ url: TEST_MYSQL_URL, database }, async (db) => {
    const rows = await db
      .selectFrom('products')
      .select(['id', 'title', 'description', 'price_minor'])
      .where('status', '=', 'active')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      text: `${r.title}\n${r.description}`,
      priceMinor: Number(r.price_minor),
    }));
  });
}

export async function benchDatabases(): Promise<string[]> {
  return withDb<BenchDb, string[]>(
    { url: TEST_MYSQL_URL, database: 'information_schema' },
    async (db) => {
      const { rows } = await sql<{ name: string }>`
        SELECT schema_name AS name FROM information_schema.schemata
        WHERE schema_name LIKE ${`${BENCH_DB_PREFIX.replaceAll('_', '\\_')}%`}`.execute(db);
      return rows.map((r) => r.name);
    },
  );
}

export async function dropBenchDatabase(database: string): Promise<void> {
  await dropDatabase(TEST_MYSQL_URL, database);
}
