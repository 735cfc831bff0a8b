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
