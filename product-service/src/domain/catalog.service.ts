import type { Kysely } from 'kysely';
import type {
  Category,
  PageOf,
  Product,
  ProductListQuery,
  ProductSort,
} from '@marketplace/contracts';
import { InvalidCursorError } from '@marketplace/db';
import { listCategories } from '../data/category.repository.ts';
import { checkListingCursor } from '../data/listing-keys.ts';
import { searchProducts, type SearchPage } from '../data/product-search.repository.ts';
import { findProductById } from '../data/product.repository.ts';
import type { DB } from '../data/schema.ts';
import { buildCategoryTree, categoryWithDescendants } from './category-tree.ts';
import { ProductErrors } from './errors.ts';
import type { Actor, ListingSort } from './product.model.ts';
import { searchTerms } from './search-terms.ts';

/** Relevance needs words to rank by; without them a listing is newest first. */
function listingSort(sort: ProductSort | undefined, hasWords: boolean): ListingSort {
  if (!hasWords && (sort === undefined || sort === 'relevance')) return 'newest';
  return sort ?? 'relevance';
}

/** The validated sort, position and size of the page asked for. */
function pageRequest(query: ProductListQuery, hasWords: boolean): SearchPage {
  const sort = listingSort(query.sort, hasWords);
  // An empty cursor means the first page. Checked here, before any lookup, so that a bad cursor
  // is a 400 even when the category turns out unknown.
  const cursor = query.cursor || undefined;
  if (cursor !== undefined) {
    try {
      checkListingCursor(sort, cursor);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw ProductErrors.invalidCursor();
      throw error;
    }
  }
  const { minPrice, maxPrice } = query;
  if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
    throw ProductErrors.invalidPriceRange();
  }
  return { sort, cursor, limit: query.limit };
}

/** Browsing the catalog: listings, search, one product, the category tree. */
export class CatalogService {
  constructor(private readonly db: Kysely<DB>) {}

  async list(query: ProductListQuery): Promise<PageOf<Product>> {
    const terms = searchTerms(query.q);
    const page = pageRequest(query, terms.length > 0);
    const categoryIds = await this.categoryFilter(query.category);
    if (categoryIds === null) return { items: [], nextCursor: null };
    const { sellerId, minPrice, maxPrice, inStock } = query;
    const filter = { terms, categoryIds, sellerId, minPrice, maxPrice, inStock };
    return searchProducts(this.db, filter, page);
  }

  /**
   * A product as the public sees it; an archived one only for its seller or an admin.
   * `viewer` is resolved only then, so a public read never depends on the caller's token.
   */
  async get(id: string, viewer: () => Promise<Actor | undefined>): Promise<Product> {
    const product = await findProductById(this.db, id);
    if (!product) throw ProductErrors.productNotFound();
    if (product.status === 'active') return product;
    const actor = await viewer();
    if (actor && (actor.role === 'admin' || actor.userId === product.sellerId)) return product;
    throw ProductErrors.productNotFound();
  }

  async categoryTree(): Promise<Category[]> {
    return buildCategoryTree(await listCategories(this.db));
  }

  /** The category and its descendants; undefined for no filter, null for an unknown slug. */
  private async categoryFilter(slug: string | undefined): Promise<string[] | null | undefined> {
    if (!slug) return undefined;
    return categoryWithDescendants(await listCategories(this.db), slug);
  }
}
