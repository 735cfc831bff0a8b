import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type {
  Product,
  ProductBody,
  ProductPage,
  ProductPatchBody,
  SellerProductsQuery,
} from '@marketplace/contracts';
import { inTransaction, InvalidCursorError } from '@marketplace/db';
import { categoryExists } from '../data/category.repository.ts';
import { findSellerName } from '../data/seller.repository.ts';
import {
  adjustStock,
  findProductById,
  insertProduct,
  renameSeller,
  updateProduct,
} from '../data/product.repository.ts';
import type { DB } from '../data/schema.ts';
import { listSellerProducts } from '../data/seller-products.repository.ts';
import type { ProductsChanged } from './catalog-changes.ts';
import { ProductErrors } from './errors.ts';
import { MAX_STOCK, sellerNameOf, type Actor } from './product.model.ts';

/** Who asks, and the request's id for the events the change causes. */
export interface WriteContext {
  actor: Actor;
  correlationId: string | null;
}

/** Sellers (and admins) managing listings. */
export class ProductService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly changed: ProductsChanged,
  ) {}

  async create({ actor, correlationId }: WriteContext, input: ProductBody): Promise<Product> {
    await this.assertCategory(input.categoryId);
    const id = randomUUID();
    const sellerName = await this.sellerName(actor);
    await inTransaction(this.db, async (trx) => {
      await insertProduct(
        trx,
        {
          ...input,
          title: input.title.trim(),
          description: input.description.trim(),
          id,
          sellerId: actor.userId,
          sellerName: sellerName ?? '',
          now: new Date(),
        },
        correlationId,
      );
      if (sellerName) await renameSeller(trx, actor.userId, sellerName);
    });
    await this.changed([id]);
    return this.reload(id);
  }

  /**
   * Applies `patch`; with `expectedVersion` (If-Match) only if nobody changed the product since.
   * Setting the stock outright needs it: without, a reservation committed between the seller's
   * read and this write would be overwritten (use adjustStock instead).
   */
  async update(
    { actor, correlationId }: WriteContext,
    id: string,
    patch: ProductPatchBody,
    expectedVersion?: number,
  ): Promise<Product> {
    const product = await this.editable(actor, id);
    if (patch.stock !== undefined && expectedVersion === undefined) {
      throw ProductErrors.stockNeedsPrecondition();
    }
    if (expectedVersion !== undefined && expectedVersion !== product.version) {
      throw ProductErrors.versionMismatch(product.version);
    }
    if (patch.categoryId !== undefined) await this.assertCategory(patch.categoryId);
    // Only the seller's own token names the seller: an admin's edit must not put its name there.
    const sellerName = actor.userId === product.sellerId ? await this.sellerName(actor) : undefined;
    const updated = await inTransaction(this.db, async (trx) => {
      const applied = await updateProduct(
        trx,
        id,
        { ...patch, title: patch.title?.trim(), description: patch.description?.trim() },
        { now: new Date(), expectedVersion, correlationId },
      );
      if (applied && sellerName) await renameSeller(trx, actor.userId, sellerName);
      return applied;
    });
    if (!updated) {
      const current = await this.reload(id);
      throw ProductErrors.versionMismatch(current.version);
    }
    await this.changed([id]);
    return this.reload(id);
  }

  /** The actor's own products of one status (active unless asked), newest first. */
  async listOwn(actor: Actor, query: SellerProductsQuery): Promise<ProductPage> {
    try {
      return await listSellerProducts(
        this.db,
        {
          sellerId: actor.userId,
          status: query.status ?? 'active',
          titlePart: query.q?.trim(),
        },
        // An empty cursor means the first page, as in the catalog.
        { limit: query.limit, cursor: query.cursor || undefined },
      );
    } catch (error) {
      if (error instanceof InvalidCursorError) throw ProductErrors.invalidCursor();
      throw error;
    }
  }

  /** Adds `delta` (may be negative) to the stock atomically: it never loses a reservation. */
  async adjustStock(
    { actor, correlationId }: WriteContext,
    id: string,
    delta: number,
  ): Promise<Product> {
    await this.editable(actor, id);
    const now = new Date();
    const adjusted = await inTransaction(this.db, (trx) =>
      adjustStock(trx, id, delta, { now, maxStock: MAX_STOCK, correlationId }),
    );
    if (!adjusted) {
      const current = await this.reload(id);
      throw ProductErrors.stockOutOfRange(current.stock, delta);
    }
    await this.changed([id]);
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
  async archive({ actor, correlationId }: WriteContext, id: string): Promise<void> {
    const product = await this.editable(actor, id);
    if (product.status === 'archived') return;
    await inTransaction(this.db, (trx) =>
      updateProduct(trx, id, { status: 'archived' }, { now: new Date(), correlationId }),
    );
    await this.changed([id]);
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
