import { sql, type Kysely, type Updateable } from 'kysely';
import type { CatalogProduct, Product, ProductPatchBody } from '@marketplace/contracts';
import { enqueueEvent } from '@marketplace/events';
import type { NewProduct } from '../domain/product.model.ts';
import { toProduct, toProductRow } from './product.mapper.ts';
import type { DB, ProductsTable } from './schema.ts';

export async function findProductById(db: Kysely<DB>, id: string): Promise<Product | undefined> {
  const row = await db.selectFrom('products').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toProduct(row) : undefined;
}

/** Products by id, in the order of `ids`; unknown ids are left out. */
export async function findProductsByIds(
  db: Kysely<DB>,
  ids: readonly string[],
): Promise<Product[]> {
  if (ids.length === 0) return [];
  const rows = await db.selectFrom('products').selectAll().where('id', 'in', ids).execute();
  const byId = new Map(rows.map((row) => [row.id, toProduct(row)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Run in a transaction: the row and its event are one change. */
export async function insertProduct(
  trx: Kysely<DB>,
  product: NewProduct,
  correlationId: string | null,
): Promise<void> {
  await trx.insertInto('products').values(toProductRow(product)).execute();
  await announceProducts(trx, [product.id], correlationId);
}

/**
 * Applies `patch` (run in a transaction, with its event); with `expectedVersion`, only if the
 * product is still at that version. False when nothing was updated (precondition failed).
 */
export async function updateProduct(
  trx: Kysely<DB>,
  id: string,
  patch: ProductPatchBody,
  options: { now: Date; expectedVersion?: number | undefined; correlationId: string | null },
): Promise<boolean> {
  const changes: Updateable<ProductsTable> = { updated_at: options.now };
  if (patch.title !== undefined) changes.title = patch.title;
  if (patch.description !== undefined) changes.description = patch.description;
  if (patch.priceMinor !== undefined) changes.price_minor = patch.priceMinor;
  if (patch.currency !== undefined) changes.currency = patch.currency;
  if (patch.stock !== undefined) changes.stock = patch.stock;
  if (patch.categoryId !== undefined) changes.category_id = patch.categoryId;
  if (patch.images !== undefined) changes.images = JSON.stringify(patch.images);
  if (patch.attributes !== undefined) changes.attributes = JSON.stringify(patch.attributes);
  if (patch.status !== undefined) changes.status = patch.status;
  let update = trx
    .updateTable('products')
    .set(changes)
    .set((eb) => ({ version: eb('version', '+', 1) }))
    .where('id', '=', id);
  if (options.expectedVersion !== undefined) {
    update = update.where('version', '=', options.expectedVersion);
  }
  const result = await update.executeTakeFirst();
  if (result.numUpdatedRows !== 1n) return false;
  await announceProducts(trx, [id], options.correlationId);
  return true;
}

/**
 * Adds `delta` to the stock in one statement, so a reservation committed meanwhile is never
 * overwritten. False when the result would leave 0..maxStock (nothing changed then).
 */
export async function adjustStock(
  trx: Kysely<DB>,
  id: string,
  delta: number,
  options: { now: Date; maxStock: number; correlationId: string | null },
): Promise<boolean> {
  // Signed arithmetic: UNSIGNED stock plus a negative delta below zero is an error, not false.
  const result = await trx
    .updateTable('products')
    .set((eb) => ({
      stock: eb('stock', '+', delta),
      version: eb('version', '+', 1),
      updated_at: options.now,
    }))
    .where('id', '=', id)
    .where(sql<boolean>`CAST(stock AS SIGNED) + ${delta} BETWEEN 0 AND ${options.maxStock}`)
    .executeTakeFirst();
  if (result.numUpdatedRows !== 1n) return false;
  await announceProducts(trx, [id], options.correlationId);
  return true;
}

/**
 * Records `product.updated` for each product as it now is, in the caller's transaction (so the
 * event says exactly what was committed). Run after the change, within the same transaction.
 */
export async function announceProducts(
  trx: Kysely<DB>,
  ids: readonly string[],
  correlationId: string | null,
): Promise<void> {
  if (ids.length === 0) return;
  const rows = await trx
    .selectFrom('products')
    .select(['id', 'seller_id', 'version', 'price_minor', 'currency', 'stock', 'status'])
    .where('id', 'in', ids)
    .orderBy('id')
    .execute();
  for (const row of rows) {
    await enqueueEvent(
      trx,
      'product.updated',
      {
        productId: row.id,
        sellerId: row.seller_id,
        version: row.version,
        priceMinor: row.price_minor,
        currency: row.currency,
        stock: row.stock,
        status: row.status,
      },
      correlationId,
    );
  }
}

/**
 * Sets the seller's name on all their listings, so a renamed shop never shows two names.
 * Not an edit of the listings: `updated_at` stays; `version` moves, since what a read returns
 * (and so its ETag) changes. Rows already right are not touched.
 */
export async function renameSeller(
  db: Kysely<DB>,
  sellerId: string,
  sellerName: string,
): Promise<void> {
  await db
    .updateTable('products')
    .set((eb) => ({ seller_name: sellerName, version: eb('version', '+', 1) }))
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
