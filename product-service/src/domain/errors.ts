import { AppError, type FieldError } from '@marketplace/service-kit';

/** The catalogue of product-service errors: each code is part of the API. */
export const ProductErrors = {
  productNotFound: () => AppError.notFound('product-not-found', 'No such product.'),
  notProductOwner: () =>
    AppError.forbidden('not-product-owner', "Only the product's seller or an admin may change it."),
  unknownCategory: () =>
    AppError.unprocessable('unknown-category', 'No category has this id.', {
      errors: [{ field: 'categoryId', message: 'does not name a category' }],
    }),
  invalidCursor: () =>
    AppError.badRequest('invalid-cursor', 'The cursor is malformed or belongs to another sort.', {
      errors: [{ field: 'querystring.cursor', message: 'is not a cursor of this listing' }],
    }),
  invalidPriceRange: () =>
    AppError.badRequest('invalid-price-range', 'minPrice is greater than maxPrice.', {
      errors: [{ field: 'querystring.maxPrice', message: 'must be at least minPrice' }],
    }),
  stockNeedsPrecondition: () =>
    new AppError(
      428,
      'precondition-required',
      'Setting the stock outright needs If-Match with the version read; or POST a delta to /stock.',
      { errors: [{ field: 'headers.if-match', message: 'is required to set stock' }] },
    ),
  versionMismatch: (current: number) =>
    new AppError(412, 'version-mismatch', 'The product changed since it was read.', {
      errors: [{ field: 'headers.if-match', message: `the current version is ${current}` }],
      headers: { etag: `"${current}"` },
    }),
  invalidIfMatch: () =>
    AppError.badRequest('invalid-if-match', 'If-Match must be a product version in quotes.', {
      errors: [{ field: 'headers.if-match', message: 'must look like "12"' }],
    }),
  stockOutOfRange: (stock: number, delta: number) =>
    AppError.conflict(
      'stock-out-of-range',
      `Stock ${stock} adjusted by ${delta} would leave 0..1000000.`,
      { errors: [{ field: 'delta', message: `stock is ${stock}` }] },
    ),
  categoryNotFound: () => AppError.notFound('category-not-found', 'No such category.'),
  sellerNotFound: () => AppError.notFound('seller-not-found', 'No such seller.'),
  duplicateSlug: () =>
    AppError.conflict('duplicate-slug', 'Another category has this slug.', {
      errors: [{ field: 'slug', message: 'is taken' }],
    }),
  unknownParent: () =>
    AppError.unprocessable('unknown-parent', 'No category has this id.', {
      errors: [{ field: 'parentId', message: 'does not name a category' }],
    }),
  categoryCycle: () =>
    AppError.unprocessable('category-cycle', 'A category cannot be moved below itself.', {
      errors: [{ field: 'parentId', message: 'is the category or one below it' }],
    }),
  categoryNotEmpty: () =>
    AppError.conflict(
      'category-not-empty',
      'Only a category with no sub-categories and no products can be deleted.',
    ),
  searchWarmingUp: () =>
    new AppError(503, 'search-warming-up', 'Search is starting; try again in a moment.', {
      headers: { 'retry-after': '5' },
    }),
  duplicateOrder: (orderId: string) =>
    AppError.badRequest('duplicate-order', 'An order id appears twice in one reservation.', {
      errors: [{ field: 'orders', message: `orderId ${orderId} appears more than once` }],
    }),
  productUnavailable: (errors: FieldError[]) =>
    AppError.conflict('product-unavailable', 'Some products are not available.', { errors }),
  insufficientStock: (errors: FieldError[]) =>
    AppError.conflict('insufficient-stock', 'Some products do not have enough stock.', { errors }),
  internalTokenRequired: () =>
    AppError.unauthorized('invalid-internal-token', 'A valid x-internal-token header is required.'),
};
