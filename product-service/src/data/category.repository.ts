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
