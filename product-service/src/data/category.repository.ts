import type { Kysely } from 'kysely';
import type { Category } from '../domain/product.ts';
import type { ProductDb } from './schema.ts';

export class CategoryRepository {
  constructor(private readonly db: Kysely<ProductDb>) {}

  async findAll(): Promise<Category[]> {
    const rows = await this.db
      .selectFrom('categories')
      .select(['id', 'parent_id', 'slug', 'name', 'position'])
      .orderBy('position')
      .orderBy('id')
      .execute();
    return rows.map((row) => ({
      id: row.id,
      parentId: row.parent_id,
      slug: row.slug,
      name: row.name,
      position: row.position,
    }));
  }

  async exists(id: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('categories')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    return row !== undefined;
  }
}
