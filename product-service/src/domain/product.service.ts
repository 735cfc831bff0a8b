import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Product, ProductBody, ProductPatchBody } from '@marketplace/contracts';
import { categoryExists } from '../data/category.repository.ts';
import { findSellerName } from '../data/seller.repository.ts';
import {
  findProductById,
  insertProduct,
  renameSeller,
  updateProduct,
} from '../data/product.repository.ts';
import type { DB } from '../data/schema.ts';
import { ProductErrors } from './errors.ts';
import { sellerNameOf, type Actor } from './product.model.ts';

/** Sellers (and admins) managing listings. */
export class ProductService {
  constructor(private readonly db: Kysely<DB>) {}

  async create(actor: Actor, input: ProductBody): Promise<Product> {
    await this.assertCategory(input.categoryId);
    const id = randomUUID();
    const sellerName = await this.sellerName(actor);
    await insertProduct(this.db, {
      ...input,
      title: input.title.trim(),
      description: input.description.trim(),
      id,
      sellerId: actor.userId,
      sellerName: sellerName ?? '',
      now: new Date(),
    });
    if (sellerName) await renameSeller(this.db, actor.userId, sellerName);
    return this.reload(id);
  }

  async update(actor: Actor, id: string, patch: ProductPatchBody): Promise<Product> {
    const product = await this.editable(actor, id);
    if (patch.categoryId !== undefined) await this.assertCategory(patch.categoryId);
    await updateProduct(
      this.db,
      id,
      {
        ...patch,
        title: patch.title?.trim(),
        description: patch.description?.trim(),
      },
      new Date(),
    );
    // Only the seller's own token names the seller: an admin's edit must not put its name there.
    const sellerName = actor.userId === product.sellerId ? await this.sellerName(actor) : undefined;
    if (sellerName) await renameSeller(this.db, actor.userId, sellerName);
    return this.reload(id);
  }

  /**
   * The seller's name as user-service last announced it, else as their token carries it: a token
   * issued before a rename (up to its lifetime) must not put the old name back.
   */
  private async sellerName(actor: Actor): Promise<string | undefined> {
    return (await findSellerName(this.db, actor.userId)) ?? sellerNameOf(actor.name);
  }

  /** Archiving hides a product from the catalog and from new orders; it is never deleted. */
  async archive(actor: Actor, id: string): Promise<void> {
    const product = await this.editable(actor, id);
    if (product.status !== 'archived') {
      await updateProduct(this.db, id, { status: 'archived' }, new Date());
    }
  }

  /** The product if `actor` may change it; someone else's archived product does not exist for them. */
  private async editable(actor: Actor, id: string): Promise<Product> {
    const product = await findProductById(this.db, id);
    if (!product) throw ProductErrors.productNotFound();
    if (actor.role === 'admin' || actor.userId === product.sellerId) return product;
    throw product.status === 'active'
      ? ProductErrors.notProductOwner()
      : ProductErrors.productNotFound();
  }

  private async assertCategory(categoryId: string): Promise<void> {
    if (!(await categoryExists(this.db, categoryId))) throw ProductErrors.unknownCategory();
  }

  private async reload(id: string): Promise<Product> {
    const product = await findProductById(this.db, id);
    if (!product) throw ProductErrors.productNotFound();
    return product;
  }
}
