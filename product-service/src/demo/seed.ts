import type { Kysely } from 'kysely';
import { DEMO_SELLERS } from '@marketplace/contracts';
import { toProductRow } from '../data/product.mapper.ts';
import type { DB } from '../data/schema.ts';
import { DEMO_CATEGORIES, DEMO_PRODUCTS, demoCategoryParentId } from './catalog.ts';

// Listed newest first, an hour and a half apart, before anything a user adds.
const NEWEST_DEMO_LISTING = Date.parse('2025-01-15T18:00:00.000Z');
const SPACING_MS = 90 * 60 * 1000;

/**
 * The category tree is reference data every installation needs (a product must have a category,
 * and there is no category API yet), so it is inserted at every start, demo or not. Idempotent.
 */
export async function seedCategories(db: Kysely<DB>): Promise<void> {
  await db
    .insertInto('categories')
    .ignore()
    .values(
      DEMO_CATEGORIES.map((category) => ({
        id: category.id,
        parent_id: demoCategoryParentId(category),
        slug: category.slug,
        name: category.name,
        position: category.position,
      })),
    )
    .execute();
}

/**
 * Inserts the demo products. Idempotent: rows are keyed by fixed ids and rows already present are
 * kept as they are (their stock may have moved since), except that a missing seller name is filled,
 * and so are the attributes of a demo product that has none, and its picture moves to WebP.
 */
export async function seedDemoCatalog(db: Kysely<DB>): Promise<void> {
  await seedCategories(db);
  await db
    .insertInto('products')
    .ignore()
    .values(
      DEMO_PRODUCTS.map((product, index) =>
        toProductRow({
          ...product,
          images: [product.image],
          now: new Date(NEWEST_DEMO_LISTING - index * SPACING_MS),
        }),
      ),
    )
    .execute();
  await fillDemoSellerNames(db);
  await fillDemoAttributes(db);
  await moveDemoImagesToWebp(db);
}

/** Databases seeded before products had seller names get them; a name already set is kept. */
async function fillDemoSellerNames(db: Kysely<DB>): Promise<void> {
  for (const seller of DEMO_SELLERS) {
    await db
      .updateTable('products')
      .set({ seller_name: seller.name })
      .where('seller_id', '=', seller.id)
      .where('seller_name', '=', '')
      .execute();
  }
}

/**
 * Demo rows seeded before the demo catalog had attributes get them; attributes set since (even
 * other ones) are kept. A new version and updated_at, so every replica's index catches up and no
 * cached copy or ETag of the old row is served as current.
 */
async function fillDemoAttributes(db: Kysely<DB>): Promise<void> {
  const now = new Date();
  for (const product of DEMO_PRODUCTS) {
    if (!product.attributes || Object.keys(product.attributes).length === 0) continue;
    await db
      .updateTable('products')
      .set({ attributes: JSON.stringify(product.attributes), updated_at: now })
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('id', '=', product.id)
      .where('attributes', '=', '{}')
      .execute();
  }
}

/**
 * Demo rows seeded when the pictures were SVG show the WebP rendering of the same picture; a
 * picture the seller has changed since is kept. A new version, as for attributes.
 */
async function moveDemoImagesToWebp(db: Kysely<DB>): Promise<void> {
  const now = new Date();
  for (const product of DEMO_PRODUCTS) {
    await db
      .updateTable('products')
      .set({ images: JSON.stringify([product.image]), updated_at: now })
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('id', '=', product.id)
      .where('images', '=', JSON.stringify([`/demo/${product.slug}.svg`]))
      .execute();
  }
}
