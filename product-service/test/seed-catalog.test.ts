import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { createDb } from '@marketplace/db';
import { createTestDatabase, TEST_MYSQL_URL } from '@marketplace/testing';
import { MAX_PRODUCTS, parseProducts, seedCatalog } from '../scripts/seed-catalog.ts';
import { generateCatalog, generateProduct } from '../src/catalog-generator/index.ts';
import { toProduct } from '../src/data/product.mapper.ts';
import type { DB } from '../src/data/schema.ts';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../scripts/seed-catalog.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));
const catalog = generateCatalog();

let database: { name: string; drop: () => Promise<void> };
let db: Kysely<DB>;

/** The CLI as `npm run seed:catalog` runs it, on the suite's database. */
async function cli(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(TSX, [SCRIPT, ...args], {
    env: { ...process.env, MYSQL_URL: TEST_MYSQL_URL, DB_NAME: database.name, NODE_ENV: '' },
  });
}

async function counts() {
  const count = async (table: 'products' | 'sellers' | 'categories') => {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  return {
    products: await count('products'),
    sellers: await count('sellers'),
    categories: await count('categories'),
  };
}

/** Changes to any column of any row change it (updated_at included). */
async function checksum(table: 'products'): Promise<string> {
  const result = await sql<{ Checksum: string }>`CHECKSUM TABLE ${sql.table(table)}`.execute(db);
  return String(result.rows[0]?.Checksum);
}

beforeAll(async () => {
  database = await createTestDatabase('seedcat');
  db = createDb<DB>({ url: TEST_MYSQL_URL, database: database.name, poolSize: 2 });
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

describe('seed:catalog', () => {
  it('when run on an empty server, then it migrates and loads the products, sellers and categories', async () => {
    const startedAt = Date.now();
    const { stdout, stderr } = await cli('--products', '3000');

    expect(stdout).toMatch(/3000 products \(3000 new, 0 already there\)/);
    expect(stderr).toMatch(/100\.0% 3,000\/3,000/);
    expect(await counts()).toEqual({
      products: 3000,
      sellers: 300,
      categories: catalog.categories.length,
    });
    const row = await db
      .selectFrom('products')
      .selectAll()
      .where('id', '=', generateProduct(1234, catalog).id)
      .executeTakeFirstOrThrow();
    const { version: _v, ...generated } = generateProduct(1234, catalog);
    const stored = toProduct(row);
    expect(stored).toMatchObject({
      ...generated,
      createdAt: generated.createdAt.toISOString(),
      version: 1,
    });
    // The service's index catches up by updated_at: rows must carry the time they were loaded.
    expect(Date.parse(stored.updatedAt)).toBeGreaterThanOrEqual(startedAt - 1000);
  }, 120_000);

  it('when run again with the same N, then nothing changes', async () => {
    const before = {
      counts: await counts(),
      products: await checksum('products'),
    };

    const { stdout } = await cli('--products', '3000');

    expect(stdout).toMatch(/3000 products \(0 new, 3000 already there\)/);
    expect({
      counts: await counts(),
      products: await checksum('products'),
    }).toEqual(before);
  }, 120_000);

  it('when run with a larger N, then only the rest is added', async () => {
    const firstRows = await db
      .selectFrom('products')
      .select(['id', 'updated_at'])
      .orderBy('id')
      .execute();

    const result = await seedCatalog({
      url: TEST_MYSQL_URL,
      database: database.name,
      products: 5000,
    });

    expect(result).toMatchObject({ inserted: 2000, existing: 3000 });
    expect(await counts()).toMatchObject({ products: 5000 });
    const kept = await db
      .selectFrom('products')
      .select(['id', 'updated_at'])
      .where(
        'id',
        'in',
        firstRows.map((r) => r.id),
      )
      .orderBy('id')
      .execute();
    expect(kept).toEqual(firstRows);
  }, 120_000);

  it('when the arguments are wrong, then the usage error says why', () => {
    expect(parseProducts(['--products', '1_000_000'])).toBe(1_000_000);
    expect(parseProducts(['--help'])).toBe('help');
    expect(() => parseProducts(['--products', '0'])).toThrow(/whole number from 1 to/);
    expect(() => parseProducts(['--products', '2.5'])).toThrow(/whole number from 1 to/);
    expect(() => parseProducts(['--products', String(MAX_PRODUCTS + 1)])).toThrow(/from 1 to/);
    expect(() => parseProducts([])).toThrow(/--products N is required/);
    expect(() => parseProducts(['--produtcs', '5'])).toThrow(/produtcs/);
  });
});
