import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '@marketplace/db';
import { createTestDatabase, TEST_MYSQL_URL } from '@marketplace/testing';
import { listCategories } from '../src/data/category.repository.ts';
import { listingBranchSql, type ListingFilter } from '../src/data/product-listing.repository.ts';
import type { DB } from '../src/data/schema.ts';
import { categoryWithDescendants } from '../src/domain/category-tree.ts';
import { seedCatalog } from '../scripts/seed-catalog.ts';

type Sort = 'newest' | 'price_asc' | 'price_desc';
interface PlanRow {
  table: string;
  key: string | null;
  type: string;
  rows: number | string;
  Extra: string | null;
}

/**
 * The MySQL listings' plans, on a generated catalog large enough for the optimizer to choose as
 * it would at scale: every filter combination reads a key that yields rows in the sort's order
 * (no filesort), so a page costs about `limit` index entries however large the catalog is.
 */
describe('product-service: listing plans (EXPLAIN)', () => {
  let db: Kysely<DB>;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let leaf: string;
  let root: string[];
  let seller: string;

  beforeAll(async () => {
    database = await createTestDatabase('plans');
    await seedCatalog({ url: TEST_MYSQL_URL, database: database.name, products: 10_000 });
    db = createDb<DB>({ url: TEST_MYSQL_URL, database: database.name, poolSize: 1 });
    await sql`ANALYZE TABLE products`.execute(db);
    const categories = await listCategories(db);
    const sizes = await db
      .selectFrom('products')
      .select(['category_id', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('category_id')
      .orderBy('n', 'desc')
      .execute();
    leaf = sizes[0]?.category_id ?? '';
    const roots = categories.filter((c) => c.parentId === null);
    root = roots
      .map((r) => categoryWithDescendants(categories, r.slug) ?? [])
      .reduce((a, b) => (b.length > a.length ? b : a), []);
    // A seller of the long tail (the big ones are covered by `none`-like plans).
    const sellers = await db
      .selectFrom('products')
      .select(['seller_id', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('seller_id')
      .orderBy('n', 'asc')
      .execute();
    seller = sellers[Math.floor(sellers.length / 2)]?.seller_id ?? '';
  }, 120_000);

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  async function plans(filter: ListingFilter, sort: Sort): Promise<PlanRow[][]> {
    const branches = listingBranchSql(db, filter, sort);
    return Promise.all(
      branches.map(async (branch) => {
        const explain = { ...branch, sql: `EXPLAIN ${branch.sql}` };
        const result = await db.executeQuery<PlanRow>({
          ...explain,
          query: sql`EXPLAIN`.toOperationNode(),
          queryId: { queryId: 'explain' },
        });
        return result.rows;
      }),
    );
  }

  const price = { minPrice: 1000, maxPrice: 5000 };
  // The key each combination must read, by sort (`newest`, then either price sort).
  const cases: [string, () => ListingFilter, string, string][] = [
    ['nothing', () => ({}), 'ix_products_newest', 'ix_products_price'],
    ['a price range', () => price, 'ix_products_newest', 'ix_products_price'],
    ['in stock', () => ({ inStock: true }), 'ix_products_newest', 'ix_products_price'],
    [
      'a category',
      () => ({ categoryIds: [leaf] }),
      'ix_products_category',
      'ix_products_category_price',
    ],
    [
      'a category subtree',
      () => ({ categoryIds: root }),
      'ix_products_category',
      'ix_products_category_price',
    ],
    ['a seller', () => ({ sellerId: seller }), 'ix_products_seller', 'ix_products_seller_price'],
    [
      'a seller in a category',
      () => ({ sellerId: seller, categoryIds: [leaf] }),
      'ix_products_seller',
      'ix_products_seller_price',
    ],
  ];

  it.each(cases)(
    'when listing %s, then each branch reads its key in order',
    async (_name, filter, newest, byPrice) => {
      for (const sort of ['newest', 'price_asc', 'price_desc'] as const) {
        const branches = await plans(filter(), sort);
        expect(branches.length).toBe(filter().categoryIds?.length ?? 1);
        for (const rows of branches) {
          expect(rows).toHaveLength(1);
          const [row] = rows;
          expect({ sort, key: row?.key }).toEqual({
            sort,
            key: sort === 'newest' ? newest : byPrice,
          });
          expect(row?.Extra ?? '').not.toMatch(/filesort|temporary/i);
        }
      }
    },
  );

  it('when a category is combined with a price range, then the price sorts read it as a range and newest needs no sort', async () => {
    for (const sort of ['newest', 'price_asc', 'price_desc'] as const) {
      const [rows] = await plans({ categoryIds: [leaf], ...price }, sort);
      expect(rows?.[0]?.Extra ?? '').not.toMatch(/filesort|temporary/i);
      if (sort !== 'newest') {
        expect(rows?.[0]).toMatchObject({ key: 'ix_products_category_price', type: 'range' });
      }
    }
  });

  it('when whole rows are asked by price with a price range, then the range is read, not every active row', async () => {
    // Without FORCE INDEX MariaDB plans `ref` on status for a descending price listing of whole
    // rows: at 1M it read every active product (seconds) to find a page.
    for (const sort of ['price_asc', 'price_desc'] as const) {
      for (const filter of [price, { ...price, inStock: true }, { sellerId: seller, ...price }]) {
        const [rows] = await plans(filter, sort);
        expect({ sort, filter, type: rows?.[0]?.type }).toEqual({ sort, filter, type: 'range' });
      }
    }
  });
});
