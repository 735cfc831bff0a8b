import type { Kysely } from 'kysely';
import type { CategoryRecord, Product } from '@marketplace/contracts';
import type { Registry } from '@marketplace/tasks';
import { listCategories } from '../data/category.repository.ts';
import { findProductById } from '../data/product.repository.ts';
import type { DB } from '../data/schema.ts';
import { CacheGeneration, VersionedCache } from '../cache/versioned-cache.ts';
import type { SerializedBody } from './conditional.ts';

/**
 * What product-service keeps in memory between requests, and when it forgets it. Listings (and
 * the tree, whose counts move with every product) are answers over many products: any change
 * this replica learns of drops them all at once. A product is dropped by id. Categories go
 * with any category change.
 */
export interface CatalogCaches {
  /** Serialized listing pages (with facets), keyed by the normalised request. */
  listings: VersionedCache<SerializedBody>;
  categoryRecords: () => Promise<CategoryRecord[]>;
  productById: (id: string) => Promise<Product | undefined>;
  productsChanged: (ids: readonly string[]) => void;
  /** A category or a seller's name changed: everything may show it. */
  everything: () => void;
}

export function createCatalogCaches(db: Kysely<DB>, registry: Registry): CatalogCaches {
  const answers = new CacheGeneration();
  const listings = new VersionedCache<SerializedBody>({
    name: 'listings',
    maxEntries: 1_000,
    generation: answers,
    registry,
  });
  const categories = new VersionedCache<CategoryRecord[]>({
    name: 'categories',
    maxEntries: 1,
    registry,
  });
  const products = new VersionedCache<Product | null>({
    name: 'products',
    maxEntries: 10_000,
    registry,
  });
  return {
    listings,
    categoryRecords: () => categories.getOrLoad('all', () => listCategories(db)),
    productById: async (id) =>
      (await products.getOrLoad(id, async () => (await findProductById(db, id)) ?? null)) ??
      undefined,
    productsChanged: (ids) => {
      answers.bump();
      for (const id of ids) products.delete(id);
    },
    everything: () => {
      answers.bump();
      categories.bump();
      products.bump();
    },
  };
}
