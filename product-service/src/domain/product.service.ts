import { randomUUID } from 'node:crypto';
import type { CategoryRepository } from '../data/category.repository.ts';
import type { ProductRepository } from '../data/product.repository.ts';
import { ProductErrors } from './errors.ts';
import type { Actor, Product, ProductInput, ProductPatch } from './product.ts';

/** Sellers (and admins) managing listings. */
export class ProductService {
  constructor(
    private readonly products: ProductRepository,
    private readonly categories: CategoryRepository,
  ) {}

  async create(actor: Actor, input: ProductInput): Promise<Product> {
    await this.assertCategory(input.categoryId);
    const id = randomUUID();
    await this.products.insert({
      ...input,
      title: input.title.trim(),
      description: input.description.trim(),
      id,
      sellerId: actor.userId,
      now: new Date(),
    });
    return this.reload(id);
  }

  async update(actor: Actor, id: string, patch: ProductPatch): Promise<Product> {
    await this.editable(actor, id);
    if (patch.categoryId !== undefined) await this.assertCategory(patch.categoryId);
    await this.products.update(
      id,
      {
        ...patch,
        title: patch.title?.trim(),
        description: patch.description?.trim(),
      },
      new Date(),
    );
    return this.reload(id);
  }

  /** Archiving hides a product from the catalog and from new orders; it is never deleted. */
  async archive(actor: Actor, id: string): Promise<void> {
    const product = await this.editable(actor, id);
    if (product.status !== 'archived') {
      await this.products.update(id, { status: 'archived' }, new Date());
    }
  }

  /** The product if `actor` may change it; someone else's archived product does not exist for them. */
  private async editable(actor: Actor, id: string): Promise<Product> {
    const product = await this.products.findById(id);
    if (!product) throw ProductErrors.productNotFound();
    if (actor.role === 'admin' || actor.userId === product.sellerId) return product;
    throw product.status === 'active'
      ? ProductErrors.notProductOwner()
      : ProductErrors.productNotFound();
  }

  private async assertCategory(categoryId: string): Promise<void> {
    if (!(await this.categories.exists(categoryId))) throw ProductErrors.unknownCategory();
  }

  private async reload(id: string): Promise<Product> {
    const product = await this.products.findById(id);
    if (!product) throw ProductErrors.productNotFound();
    return product;
  }
}
