import type { Category, CategoryTree, ProductSort } from '@marketplace/contracts';
import type { LocationQuery, LocationQueryRaw } from 'vue-router';
import type { ProductFilters } from '../api/client.ts';

type Filters = Required<ProductFilters>;

/**
 * The catalog's filters as they appear in the address bar and the filter form: every one present,
 * `''` for "any", prices as typed (major units).
 */
export type CatalogQuery = Pick<Filters, 'q' | 'category' | 'sellerId' | 'inStock'> &
  Record<keyof Pick<Filters, 'minPrice' | 'maxPrice'>, string> & { sort: Filters['sort'] | '' };

/** The i18n key of each sort's name (a sort added to the contract fails the type check here). */
export const SORT_LABELS: Record<ProductSort, string> = {
  relevance: 'catalog.sortRelevance',
  newest: 'catalog.sortNewest',
  price_asc: 'catalog.sortPriceAsc',
  price_desc: 'catalog.sortPriceDesc',
};

/** Every filter at "any"; the search text is kept when given. */
export function emptyCatalogQuery(q = ''): CatalogQuery {
  return { q, category: '', sellerId: '', sort: '', minPrice: '', maxPrice: '', inStock: false };
}

function text(value: LocationQuery[string] | undefined): string {
  return typeof value === 'string' ? value : '';
}

export function readCatalogQuery(query: LocationQuery): CatalogQuery {
  const sort = text(query.sort);
  return {
    q: text(query.q).trim(),
    category: text(query.category),
    sellerId: text(query.sellerId),
    sort: Object.hasOwn(SORT_LABELS, sort) ? (sort as ProductSort) : '',
    minPrice: text(query.minPrice),
    maxPrice: text(query.maxPrice),
    inStock: text(query.inStock) === '1',
  };
}

export function writeCatalogQuery(value: CatalogQuery): LocationQueryRaw {
  const query: LocationQueryRaw = {};
  if (value.q) query.q = value.q;
  if (value.category) query.category = value.category;
  if (value.sellerId) query.sellerId = value.sellerId;
  if (value.sort) query.sort = value.sort;
  if (value.minPrice) query.minPrice = value.minPrice;
  if (value.maxPrice) query.maxPrice = value.maxPrice;
  if (value.inStock) query.inStock = '1';
  return query;
}

/** Prices are typed in major units; the API takes minor units (two decimals assumed). */
function toMinor(value: string): number | undefined {
  const n = Number(value.replace(',', '.'));
  return value.trim() !== '' && Number.isFinite(n) && n >= 0 ? Math.round(n * 100) : undefined;
}

export function toProductFilters(value: CatalogQuery): ProductFilters {
  const filters: ProductFilters = {};
  if (value.q) filters.q = value.q;
  if (value.category) filters.category = value.category;
  if (value.sellerId) filters.sellerId = value.sellerId;
  // Relevance only means something with a search text.
  if (value.sort && (value.sort !== 'relevance' || value.q)) filters.sort = value.sort;
  const min = toMinor(value.minPrice);
  const max = toMinor(value.maxPrice);
  if (min !== undefined) filters.minPrice = min;
  if (max !== undefined) filters.maxPrice = max;
  if (value.inStock) filters.inStock = true;
  return filters;
}

/** A category as the filter's select lists it: `depth` indents it under its parent. */
export type CategoryOption = Pick<Category, 'slug' | 'name'> & { depth: number };

/** The category tree flattened depth-first for a select, children indented under parents. */
export function flattenCategories(tree: CategoryTree, depth = 0): CategoryOption[] {
  return tree.flatMap((node) => [
    { slug: node.slug, name: node.name, depth },
    ...flattenCategories(node.children, depth + 1),
  ]);
}
