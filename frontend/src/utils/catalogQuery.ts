import type { Category, CategoryTree, ProductSort } from '@marketplace/contracts';
import type { LocationQuery, LocationQueryRaw } from 'vue-router';
import type { AttributeFilters, ProductFilters } from '../api/client.ts';

type Filters = Required<ProductFilters>;

/**
 * The catalog's filters as they appear in the address bar and the filter form: every one present,
 * `''` for "any", prices as typed (major units).
 */
export type CatalogQuery = Pick<Filters, 'q' | 'category' | 'sellerId' | 'inStock'> &
  Record<keyof Pick<Filters, 'minPrice' | 'maxPrice'>, string> & {
    sort: Filters['sort'] | '';
    /** `attr.<name>=<value>` in the address bar: one value per attribute, all must match. */
    attributes: AttributeFilters;
  };

const ATTR = 'attr.';
/**
 * The contract's ATTRIBUTE_NAME_PATTERN, ATTRIBUTE_VALUE_MAX and its limit of ten filters, copied
 * because the contracts are imported type-only (no TypeBox in the bundle); a hand-edited address
 * breaking them would be a 400 instead of a catalog.
 */
const ATTRIBUTE_NAME = /^[a-z][a-z0-9_]{0,31}$/;
const ATTRIBUTE_VALUE_MAX = 64;
const MAX_ATTRIBUTE_FILTERS = 10;

/** The i18n key of each sort's name (a sort added to the contract fails the type check here). */
export const SORT_LABELS: Record<ProductSort, string> = {
  relevance: 'catalog.sortRelevance',
  newest: 'catalog.sortNewest',
  price_asc: 'catalog.sortPriceAsc',
  price_desc: 'catalog.sortPriceDesc',
};

/** Every filter at "any"; the search text is kept when given. */
export function emptyCatalogQuery(q = ''): CatalogQuery {
  return {
    q,
    category: '',
    sellerId: '',
    sort: '',
    minPrice: '',
    maxPrice: '',
    inStock: false,
    attributes: {},
  };
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
    attributes: readAttributes(query),
  };
}

function readAttributes(query: LocationQuery): AttributeFilters {
  const attributes: AttributeFilters = {};
  for (const [key, value] of Object.entries(query)) {
    const name = key.slice(ATTR.length);
    const given = text(value);
    if (!key.startsWith(ATTR) || !ATTRIBUTE_NAME.test(name) || !given) continue;
    if (Object.keys(attributes).length >= MAX_ATTRIBUTE_FILTERS) break;
    attributes[name] = given.slice(0, ATTRIBUTE_VALUE_MAX);
  }
  return attributes;
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
  for (const [name, given] of Object.entries(value.attributes).sort()) query[ATTR + name] = given;
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

/** A category as the filter lists it: `depth` indents it under its parent. */
export type CategoryOption = Pick<Category, 'id' | 'slug' | 'name' | 'productCount'> & {
  depth: number;
};

/** The category tree flattened depth-first, children indented under parents. */
export function flattenCategories(tree: CategoryTree, depth = 0): CategoryOption[] {
  return tree.flatMap((node) => [
    { id: node.id, slug: node.slug, name: node.name, productCount: node.productCount, depth },
    ...flattenCategories(node.children, depth + 1),
  ]);
}
