import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { CategoryBody, CategoryPatchBody, CategoryRecord } from '@marketplace/contracts';
import { inTransaction, isDuplicateKey, isForeignKeyViolation } from '@marketplace/db';
import {
  categoryHasProducts,
  deleteCategory,
  insertCategory,
  listCategories,
  updateCategory,
} from '../data/category.repository.ts';
import type { DB } from '../data/schema.ts';
import { categoryWithDescendants } from './category-tree.ts';
import { ProductErrors } from './errors.ts';

/** Admins shaping the category tree. `changed` runs after each committed change (caches). */
export class CategoryService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly changed: () => void,
  ) {}

  async list(): Promise<CategoryRecord[]> {
    return listCategories(this.db);
  }

  async create(body: CategoryBody): Promise<CategoryRecord> {
    const categories = await listCategories(this.db);
    const parentId = body.parentId ?? null;
    if (parentId !== null && !categories.some((c) => c.id === parentId)) {
      throw ProductErrors.unknownParent();
    }
    const siblings = categories.filter((c) => c.parentId === parentId);
    const category: CategoryRecord = {
      id: randomUUID(),
      parentId,
      slug: body.slug,
      name: body.name.trim(),
      // At the end of its siblings unless told.
      position: body.position ?? Math.max(-1, ...siblings.map((c) => c.position)) + 1,
    };
    await slugChecked(() => insertCategory(this.db, category));
    this.changed();
    return category;
  }

  /** Renames, re-slugs, moves or reorders; a move below itself is refused. */
  async update(id: string, patch: CategoryPatchBody): Promise<CategoryRecord> {
    // One at a time: two moves checked against the same tree could together make a cycle.
    const updated = await inTransaction(this.db, async (trx) => {
      await trx.selectFrom('categories').select('id').forUpdate().execute();
      const categories = await listCategories(trx);
      const current = categories.find((c) => c.id === id);
      if (!current) throw ProductErrors.categoryNotFound();
      const parentId = patch.parentId === undefined ? current.parentId : patch.parentId;
      if (parentId !== null) {
        if (!categories.some((c) => c.id === parentId)) throw ProductErrors.unknownParent();
        const below = categoryWithDescendants(categories, current.slug) ?? [];
        if (below.includes(parentId)) throw ProductErrors.categoryCycle();
      }
      const next: CategoryRecord = {
        ...current,
        parentId,
        slug: patch.slug ?? current.slug,
        name: patch.name?.trim() ?? current.name,
        position: patch.position ?? current.position,
      };
      await slugChecked(() => updateCategory(trx, next));
      return next;
    });
    this.changed();
    return updated;
  }

  /** Only an empty leaf goes: products keep their category, archived ones included. */
  async remove(id: string): Promise<void> {
    const categories = await listCategories(this.db);
    if (!categories.some((c) => c.id === id)) throw ProductErrors.categoryNotFound();
    if (categories.some((c) => c.parentId === id) || (await categoryHasProducts(this.db, id))) {
      throw ProductErrors.categoryNotEmpty();
    }
    try {
      await deleteCategory(this.db, id);
    } catch (error) {
      // A product listed in it since the check: the foreign key refuses.
      if (isForeignKeyViolation(error)) throw ProductErrors.categoryNotEmpty();
      throw error;
    }
    this.changed();
  }
}

async function slugChecked(run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (isDuplicateKey(error)) throw ProductErrors.duplicateSlug();
    throw error;
  }
}
