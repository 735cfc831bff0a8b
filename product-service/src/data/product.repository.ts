import type { Kysely, Updateable } from 'kysely';
import type { CatalogProduct, Product, ProductPatchBody } from '@marketplace/contracts';
import type { NewProduct } from '../domain/product.model.ts';
import { toProduct, toProductRow } from './product.mapper.ts';
import type { DB, ProductsTable } from './schema.ts';

export async function findProductById(db: Kysely<DB>, id: string): Promise<Product | undefined> {
  const row = await db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toProduct(row) : undefined;
}

export async function insertProduct(db: Kysely<DB>, product: NewProduct): Promise<void> {
  await db.insertInto('products').values(toProductRow(product)).execute();
}

export async function updateProduct(
  db: Kysely<DB>,
  id: string,
  patch: ProductPatchBody,
  now: Date,
): Promise<void> {
  const changes: Updateable<ProductsTable> = { updated_at: now };
  if (patch.title !== undefined) changes.title = patch.title;
  if (patch.description !== undefined) changes.description = patch.description;
  if (patch.priceMinor !== undefined) changes.price_minor = patch.priceMinor;
  if (patch.currency !== undefined) changes.currency = patch.currency;
  if (patch.stock !== undefined) changes.stock = patch.stock;
  if (patch.categoryId !== undefined) changes.category_id = patch.categoryId;
  if (patch.images !== undefined) changes.images = JSON.stringify(patch.images);
  if (patch.status !== undefined) changes.status = patch.status;
  await db.updateTable('products').set(changes).where('id', '=', id).execute();
}

/**
 * Sets the seller's name on all their listings, so a renamed shop never shows two names.
 * Not an edit of the listings: `updated_at` stays. Rows already right are not touched.
 */
export async function renameSeller(
  db: Kysely<DB>,
  sellerId: string,
  sellerName: string,
): Promise<void> {
  await db
    .updateTable('products')
    .set({ seller_name: sellerName })
    .where('seller_id', '=', sellerId)
    .where('seller_name', '<>', sellerName)
    .execute();
}

/** What order-service needs to price a checkout; unknown ids are simply absent. */
export async function lookupProducts(
  db: Kysely<DB>,
  ids: readonly string[],
): Promise<CatalogProduct[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('products')
    .select(['id', 'seller_id', 'title', 'price_minor', 'currency', 'stock', 'status'])
    .where('id', 'in', ids)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    sellerId: row.seller_id,
    title: row.title,
    priceMinor: row.price_minor,
    currency: row.currency,
    stock: row.stock,
    status: row.status,
  }));
}
