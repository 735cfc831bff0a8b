import type { Kysely, Updateable } from 'kysely';
import type { Product, ProductInput, ProductPatch } from '../domain/product.ts';
import { toProduct } from './product.mapper.ts';
import type { ProductDb, ProductsTable } from './schema.ts';

export interface ProductLookup {
  id: string;
  sellerId: string;
  title: string;
  priceMinor: number;
  currency: string;
  stock: number;
  status: Product['status'];
}

export class ProductRepository {
  constructor(private readonly db: Kysely<ProductDb>) {}

  async findById(id: string): Promise<Product | undefined> {
    const row = await this.db
      .selectFrom('products')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? toProduct(row) : undefined;
  }

  async insert(
    product: { id: string; sellerId: string; sellerName: string; now: Date } & ProductInput,
  ): Promise<void> {
    await this.db
      .insertInto('products')
      .values({
        id: product.id,
        seller_id: product.sellerId,
        seller_name: product.sellerName,
        category_id: product.categoryId,
        title: product.title,
        description: product.description,
        price_minor: product.priceMinor,
        currency: product.currency,
        stock: product.stock,
        images: JSON.stringify(product.images),
        status: 'active',
        created_at: product.now,
        updated_at: product.now,
      })
      .execute();
  }

  async update(id: string, patch: ProductPatch, now: Date): Promise<void> {
    const changes: Updateable<ProductsTable> = { updated_at: now };
    if (patch.title !== undefined) changes.title = patch.title;
    if (patch.description !== undefined) changes.description = patch.description;
    if (patch.priceMinor !== undefined) changes.price_minor = patch.priceMinor;
    if (patch.currency !== undefined) changes.currency = patch.currency;
    if (patch.stock !== undefined) changes.stock = patch.stock;
    if (patch.categoryId !== undefined) changes.category_id = patch.categoryId;
    if (patch.images !== undefined) changes.images = JSON.stringify(patch.images);
    if (patch.status !== undefined) changes.status = patch.status;
    await this.db.updateTable('products').set(changes).where('id', '=', id).execute();
  }

  /**
   * Sets the seller's name on all their listings, so a renamed shop never shows two names.
   * Not an edit of the listings: `updated_at` stays. Rows already right are not touched.
   */
  async renameSeller(sellerId: string, sellerName: string): Promise<void> {
    await this.db
      .updateTable('products')
      .set({ seller_name: sellerName })
      .where('seller_id', '=', sellerId)
      .where('seller_name', '<>', sellerName)
      .execute();
  }

  /** What order-service needs to price a checkout; unknown ids are simply absent. */
  async lookup(ids: readonly string[]): Promise<ProductLookup[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
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
}
