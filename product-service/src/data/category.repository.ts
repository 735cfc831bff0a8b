import type { Kysely } from 'kysely';
import type { CategoryRecord } from '../domain/product.model.ts';
import type { DB } from './schema.ts';

export async function listCategories(db: Kysely<DB>): Promise<CategoryRecord[]> {
  const rows = await db
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

export async function categoryExists(db: Kysely<DB>, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('categories')
    .select('id')
    .where('id', '=', id)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertCategory(db: Kysely<DB>, category: CategoryRecord): Promise<void> {
  await db
    .insertInto('categories')
    .values({
      id: category.id,
      parent_id: category.parentId,
      slug: category.slug,
      name: category.name,
      position: category.position,
    })
    .execute();
}

export async function updateCategory(db: Kysely<DB>, category: CategoryRecord): Promise<void> {
  await db
    .updateTable('categories')
    .set({
      parent_id: category.parentId,
      slug: category.slug,
      name: category.name,
      position: category.position,
    })
    .where('id', '=', category.id)
    .execute();
}

export async function deleteCategory(db: Kysely<DB>, id: string): Promise<void> {
  await db.deleteFrom('categories').where('id', '=', id).execute();
}

/** Whether any product (archived ones too: they keep their category) is in the category. */
export async function categoryHasProducts(db: Kysely<DB>, id: string): Promise<boolean> {
  const row = await db
    .selectFrom('products')
    .select('id')
    .where('category_id', '=', id)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
