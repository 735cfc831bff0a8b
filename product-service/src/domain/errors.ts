import { AppError, type FieldError } from '@marketplace/service-kit';

/** The catalogue of product-service errors: each code is part of the API. */
export const ProductErrors = {
  productNotFound: () => AppError.notFound('No such product.', 'product-not-found'),
  notProductOwner: () =>
    AppError.forbidden("Only the product's seller or an admin may change it.", 'not-product-owner'),
  unknownCategory: () =>
    AppError.unprocessable('unknown-category', 'No category has this id.', [
      { field: 'categoryId', message: 'does not name a category' },
    ]),
  invalidCursor: () =>
    AppError.badRequest('invalid-cursor', 'The cursor is malformed or belongs to another sort.', [
      { field: 'querystring.cursor', message: 'is not a cursor of this listing' },
    ]),
  invalidPriceRange: () =>
    AppError.badRequest('invalid-price-range', 'minPrice is greater than maxPrice.', [
      { field: 'querystring.maxPrice', message: 'must be at least minPrice' },
    ]),
  duplicateOrder: (orderId: string) =>
    AppError.badRequest('duplicate-order', 'An order id appears twice in one reservation.', [
      { field: 'orders', message: `orderId ${orderId} appears more than once` },
    ]),
  productUnavailable: (errors: FieldError[]) =>
    new AppError(409, 'product-unavailable', 'Some products are not available.', errors),
  insufficientStock: (errors: FieldError[]) =>
    new AppError(409, 'insufficient-stock', 'Some products do not have enough stock.', errors),
  internalTokenRequired: () =>
    AppError.unauthorized('A valid x-internal-token header is required.', 'invalid-internal-token'),
};
