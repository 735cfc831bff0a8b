import type { Kysely } from 'kysely';
import type {
  Category,
  CategoryRecord,
  Product,
  ProductListQuery,
  ProductPage,
  ProductSort,
  Seller,
} from '@marketplace/contracts';
import { encodeCursor, InvalidCursorError, type CursorValue } from '@marketplace/db';
import { listCategories } from '../data/category.repository.ts';
import { decodeListingCursor } from '../data/listing-keys.ts';
import { listProducts } from '../data/product-listing.repository.ts';
import { findProductById, findProductsByIds } from '../data/product.repository.ts';
import { findSeller } from '../data/seller.repository.ts';
import type { DB } from '../data/schema.ts';
import type { CatalogIndex, IndexFilter } from '../search/catalog-index.ts';
import { buildCategoryTree, categoryWithDescendants } from './category-tree.ts';
import { ProductErrors } from './errors.ts';
import type { Actor, ListingSort } from './product.model.ts';
import { searchTerms } from './search-terms.ts';

/** Relevance needs words to rank by; without them a listing is newest first. */
function listingSort(sort: ProductSort | undefined, hasWords: boolean): ListingSort {
  if (!hasWords && (sort === undefined || sort === 'relevance')) return 'newest';
  return sort ?? 'relevance';
}

/** A listing as asked: its words, filters, order and position, checked. */
export interface ListingRequest {
  filter: IndexFilter;
  sort: ListingSort;
  limit: number;
  /** The cursor as given (MySQL's pages read it), and its values (the index's read those). */
  cursor: string | undefined;
  after: CursorValue[] | undefined;
  facets: boolean;
}

/** The index: the search words' matches and every facet. */
export interface CatalogServiceDeps {
  db: Kysely<DB>;
  index: CatalogIndex;
  /** False until the index holds every product: until then searches and facets answer 503. */
  indexReady: () => boolean;
  /** The categories as stored; by default read each time (the app caches them). */
  categoryRecords?: () => Promise<CategoryRecord[]>;
  /** One product by id; by default read each time (the app caches hot ones). */
  productById?: (id: string) => Promise<Product | undefined>;
}

/**
 * Browsing the catalog. Listings without search words or attribute filters are MySQL's (a key
 * per filter combination, see docs/catalog.md); search words, attribute filters and facets are
 * this replica's index's, which gives ids that are then read from MySQL, the source of truth for
 * what a product is.
 */
export class CatalogService {
  private readonly categoryRecords: () => Promise<CategoryRecord[]>;
  private readonly productById: (id: string) => Promise<Product | undefined>;

  constructor(private readonly deps: CatalogServiceDeps) {
    this.categoryRecords = deps.categoryRecords ?? (() => listCategories(deps.db));
    this.productById = deps.productById ?? ((id) => findProductById(deps.db, id));
  }

  /** Checks the query before anything is looked up: a bad cursor is a 400 whatever else. */
  async request(
    query: ProductListQuery,
    attributes: Readonly<Record<string, string>>,
  ): Promise<ListingRequest> {
    const terms = searchTerms(query.q);
    const sort = listingSort(query.sort, terms.length > 0);
    // An empty cursor means the first page.
    const cursor = query.cursor || undefined;
    let after: CursorValue[] | undefined;
    if (cursor !== undefined) {
      try {
        after = decodeListingCursor(sort, cursor);
      } catch (error) {
        if (error instanceof InvalidCursorError) throw ProductErrors.invalidCursor();
        throw error;
      }
    }
    const { minPrice, maxPrice } = query;
    if (minPrice !== undefined && maxPrice !== undefined && minPrice > maxPrice) {
      throw ProductErrors.invalidPriceRange();
    }
    // An unknown category is an empty listing, not an error: links to a removed one still work.
    const categoryIds = await this.categoryFilter(query.category);
    const filter: IndexFilter = {
      terms,
      ...(categoryIds ? { categoryIds } : {}),
      ...(query.sellerId ? { sellerId: query.sellerId } : {}),
      ...(minPrice !== undefined ? { minPrice } : {}),
      ...(maxPrice !== undefined ? { maxPrice } : {}),
      ...(query.inStock ? { inStock: true } : {}),
      ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    };
    return { filter, sort, limit: query.limit, cursor, after, facets: query.facets === true };
  }

  async list(request: ListingRequest): Promise<ProductPage> {
    const { filter, sort, limit, cursor } = request;
    // Attribute filters are the index's too: MySQL has no key that orders a value's holders.
    const searched = filter.terms.length > 0 || filter.attributes !== undefined;
    if ((searched || request.facets) && !this.deps.indexReady()) {
      throw ProductErrors.searchWarmingUp();
    }
    const page =
      sort === 'relevance' || searched
        ? await this.search(request)
        : await listProducts(this.deps.db, filter, { sort, limit, cursor });
    if (!request.facets) return page;
    return { ...page, facets: this.deps.index.facets(filter) };
  }

  /** The index orders and pages the matches; MySQL supplies the products as they are now. */
  private async search({
    filter,
    sort,
    limit,
    after,
  }: ListingRequest): Promise<{ items: Product[]; nextCursor: string | null }> {
    const page = this.deps.index.search(filter, { sort, limit, ...(after ? { after } : {}) });
    // A product archived on another replica a moment ago may still be in this index: dropped.
    const items = (await findProductsByIds(this.deps.db, page.ids)).filter(
      (product) => product.status === 'active',
    );
    return { items, nextCursor: page.nextKey ? encodeCursor(page.nextKey, sort) : null };
  }

  /**
   * A product as the public sees it; an archived one only for its seller or an admin.
   * `viewer` is resolved only then, so a public read never depends on the caller's token.
   */
  async get(
    id: string,
    viewer: () => Promise<Actor | undefined>,
  ): Promise<{ product: Product; public: boolean }> {
    const product = await this.productById(id);
    if (!product) throw ProductErrors.productNotFound();
    if (product.status === 'active') return { product, public: true };
    const actor = await viewer();
    if (actor && (actor.role === 'admin' || actor.userId === product.sellerId)) {
      return { product, public: false };
    }
    throw ProductErrors.productNotFound();
  }

  async categoryTree(): Promise<Category[]> {
    return buildCategoryTree(await this.categoryRecords(), this.deps.index.activeCountByCategory());
  }

  /** A seller's public page: known from their listings or from user-service's events. */
  async seller(id: string): Promise<Seller> {
    const record = await findSeller(this.deps.db, id);
    if (!record) throw ProductErrors.sellerNotFound();
    return {
      id,
      name: record.name,
      productCount: this.deps.index.activeCountBySeller(id),
      memberSince: record.memberSince?.toISOString() ?? null,
    };
  }

  /** The category and its descendants; undefined for no filter, none for an unknown slug. */
  private async categoryFilter(slug: string | undefined): Promise<string[] | undefined> {
    if (!slug) return undefined;
    return categoryWithDescendants(await this.categoryRecords(), slug) ?? [];
  }
}
