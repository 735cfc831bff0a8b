import type { OrderStatus } from '@marketplace/contracts';
import { AppError, type FieldError } from '@marketplace/service-kit';

const KEY_HEADER = 'Idempotency-Key';
const KEY_FIELD = 'headers.idempotency-key';

/** The catalogue of order-service errors: each code is part of the API. */
export const OrderErrors = {
  idempotencyKeyRequired: () =>
    AppError.badRequest('idempotency-key-required', `The ${KEY_HEADER} header is required.`, {
      errors: [{ field: KEY_FIELD, message: 'is required' }],
    }),
  invalidIdempotencyKey: (maxLength: number) =>
    AppError.badRequest(
      'invalid-idempotency-key',
      `The ${KEY_HEADER} header must be one value of 1 to ${maxLength} characters.`,
      { errors: [{ field: KEY_FIELD, message: `must be 1 to ${maxLength} characters` }] },
    ),
  idempotencyKeyReused: () =>
    AppError.unprocessable(
      'idempotency-key-reused',
      `This ${KEY_HEADER} was already used with a different request body.`,
      { errors: [{ field: KEY_FIELD, message: 'was used with another body' }] },
    ),
  idempotencyKeyInFlight: () =>
    AppError.conflict(
      'idempotency-key-in-flight',
      `A request with this ${KEY_HEADER} is still being processed; retry shortly.`,
      { headers: { 'retry-after': '1' } },
    ),
  /** The schema cannot say "each product once", so the repeated lines answer like it would. */
  repeatedProducts: (errors: FieldError[]) =>
    AppError.badRequest('validation-error', 'The body is invalid.', { errors }),
  productUnavailable: (errors: FieldError[]) =>
    AppError.unprocessable('product-unavailable', 'Some products cannot be ordered.', { errors }),
  mixedCurrency: (currency: string, errors: FieldError[]) =>
    AppError.unprocessable(
      'mixed-currency',
      `Products of one seller must share a currency (${currency}).`,
      { errors },
    ),
  insufficientStock: (errors: FieldError[]) =>
    AppError.conflict(
      'insufficient-stock',
      'Not enough stock for some items; nothing was reserved.',
      { errors },
    ),
  catalogUnavailable: () =>
    AppError.unavailable(
      'catalog-unavailable',
      'The catalog cannot be reached right now; nothing was ordered. Retry shortly.',
    ),
  orderNotFound: () => AppError.notFound('order-not-found', 'No such order.'),
  transitionForbidden: (from: OrderStatus, to: OrderStatus) =>
    AppError.forbidden('forbidden', `You may not move this order from ${from} to ${to}.`),
  invalidTransition: (from: OrderStatus, to: OrderStatus) =>
    AppError.conflict('invalid-transition', `An order cannot go from ${from} to ${to}.`),
  concurrentChange: () =>
    AppError.conflict('concurrent-change', 'The order changed meanwhile; reload it.'),
  invalidCursor: () =>
    AppError.badRequest('invalid-cursor', 'The cursor is invalid.', {
      errors: [{ field: 'querystring.cursor', message: 'is not a cursor this API gave out' }],
    }),
};
