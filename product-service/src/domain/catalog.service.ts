import { PAGE_LIMIT_DEFAULT, type PageOf } from '@marketplace/contracts';
import type { CategoryRepository } from '../data/category.repository.ts';
import type {
  ProductSearchRepository,
  SearchHit,
  SearchPage,
} from '../data/product-search.repository.ts';
import type { ProductRepository } from '../data/product.repository.ts';
import { buildCategoryTree, categoryWithDescendants } from './category-tree.ts';
import { ProductErrors } from './errors.ts';
import type { Actor, CategoryNode, Product, ProductSort } from './product.ts';
import { decodeSortKey, encodeSortKey, type ListingSort, type SortKey } from './search-cursor.ts';
import { searchTerms } from './search-terms.ts';

export interface ProductQuery {
  q?: string;
  category?: string;
  sellerId?: string;
  minPrice?: number;
  maxPrice?: number;
  inStock?: boolean;
  sort?: ProductSort;
  limit?: number;
  cursor?: string;
}

/** Relevance needs words to rank by; without them a listing is newest first. */
function listingSort(sort: ProductSort | undefined, hasWords: boolean): ListingSort {
  if (!hasWords && (sort === undefined || sort === 'relevance')) return 'newest';
  return sort ?? 'relevance';
}

function keyOf(hit: SearchHit, sort: ListingSort): SortKey {
  const { id, createdAt, priceMinor } = hit.product;
  switch (sort) {
    case 'newest':
      return { sort, createdAt: new Date(createdAt), id };
    case 'price_asc':
    case 'price_desc':
      return { sort, priceMinor, id };
    case 'relevance':
      return { sort, score: hit.score, id };
  }
}

/** The validated sort, position and size of the page asked for. */
function pageRequest(query: ProductQuery, hasWords: boolean): SearchPage {
  const sort = listingSort(query.sort, hasWords);
  const after = query.cursor ? decodeSortKey(query.cursor, sort) : null;
  if (query.cursor && !after) throw ProductErrors.invalidCursor();
  const { minPrice, maxPrice } = query;
  if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
    throw ProductErrors.invalidPriceRange();
  }
  return { sort, after, limit: query.limit ?? PAGE_LIMIT_DEFAULT };
}

/** Browsing the catalog: listings, search, one product, the category tree. */
export class CatalogService {
  constructor(
    private readonly products: ProductRepository,
    private readonly search: ProductSearchRepository,
    private readonly categories: CategoryRepository,
  ) {}

  async list(query: ProductQuery): Promise<PageOf<Product>> {
    const terms = searchTerms(query.q);
    const page = pageRequest(query, terms.length > 0);
    const categoryIds = await this.categoryFilter(query.category);
    if (categoryIds === null) return { items: [], nextCursor: null };
    const { sellerId, minPrice, maxPrice, inStock } = query;
    // One row past the page tells whether another page exists.
    const hits = await this.search.search(
      { terms, categoryIds, sellerId, minPrice, maxPrice, inStock },
      { ...page, limit: page.limit + 1 },
    );
    const items = hits.slice(0, page.limit);
    const last = items.at(-1);
    return {
      items: items.map((hit) => hit.product),
      nextCursor: hits.length > page.limit && last ? encodeSortKey(keyOf(last, page.sort)) : null,
    };
  }

  /**
   * A product as the public sees it; an archived one only for its seller or an admin.
   * `viewer` is resolved only then, so a public read never depends on the caller's token.
   */
  async get(id: string, viewer: () => Promise<Actor | undefined>): Promise<Product> {
    const product = await this.products.findById(id);
    if (!product) throw ProductErrors.productNotFound();
    if (product.status === 'active') return product;
    const actor = await viewer();
    if (actor && (actor.role === 'admin' || actor.userId === product.sellerId)) return product;
    throw ProductErrors.productNotFound();
  }

  async categoryTree(): Promise<CategoryNode[]> {
    return buildCategoryTree(await this.categories.findAll());
  }

  /** The category and its descendants; undefined for no filter, null for an unknown slug. */
  private async categoryFilter(slug: string | undefined): Promise<string[] | null | undefined> {
    if (!slug) return undefined;
    return categoryWithDescendants(await this.categories.findAll(), slug);
  }
}
