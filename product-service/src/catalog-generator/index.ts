/**
 * A synthetic catalog for load tests and search benchmarks: pure (no I/O), deterministic (product
 * i is the same on every call, run and machine) and fast (1M products in a few seconds).
 *
 *   const catalog = generateCatalog();            // categories, sellers, the time window
 *   const product = generateProduct(i, catalog);  // product i (0-based), any order, any N
 *
 * Exports (stable):
 * - generateCatalog(options?: { sellers?: number }): GeneratedCatalog
 *     categories (the demo tree plus 8 roots / 44 leaves, parents first), leaves (where products
 *     go, with a realistic skew), sellers (300 by default, Zipf-sized), startsAt/endsAt (a fixed
 *     two-year window ending 2026-11-30).
 * - generateProduct(index, catalog): GeneratedProduct
 *     id, sellerId, sellerName, categoryId, title (<= 200 chars), description (30-60 words),
 *     priceMinor (1..1e9), currency 'EUR', stock (0..500, ~8% zero), images (1-3 `/demo/*.webp`),
 *     attributes (2-5 per leaf), status (~3% 'archived'), version 1, createdAt (ms precision).
 * - generatedProductId(index): product i's id alone (ids sort by index).
 * - generatedCategoryId(slug), MAX_PRODUCT_INDEX, and the types.
 */
export {
  generateCatalog,
  generatedCategoryId,
  DEFAULT_SELLERS,
  type CatalogOptions,
  type GeneratedCatalog,
  type GeneratedCategory,
  type GeneratedLeaf,
  type GeneratedSeller,
} from './catalog.ts';
export {
  generateProduct,
  generatedProductId,
  MAX_PRODUCT_INDEX,
  type GeneratedProduct,
} from './product.ts';
