import { describe, expect, it } from 'vitest';
import { AppError } from '@marketplace/service-kit';
import type { CatalogProduct, CheckoutItem } from '@marketplace/contracts';
import { ReservationRefusedError } from '../product-catalog.port.ts';
import { assertDistinctProducts, draftOrders, reservationRefused } from './checkout-lines.ts';

const checkoutId = '6f1c2b8e-3d4a-4c5b-9e6f-7a8b9c0d1e2f';
const address = { name: 'N', line1: 'L', city: 'C', postalCode: 'P', country: 'DE' };
const product = (
  id: string,
  sellerId: string,
  over: Partial<CatalogProduct> = {},
): CatalogProduct => ({
  id,
  sellerId,
  title: `T ${id}`,
  priceMinor: 250,
  currency: 'EUR',
  stock: 5,
  status: 'active',
  ...over,
});

function caught(work: () => unknown): AppError {
  try {
    work();
  } catch (error) {
    if (error instanceof AppError) return error;
  }
  throw new Error('expected an AppError');
}

/** The lines of one buyer's checkout, drafted against these catalog products. */
const draft = (items: CheckoutItem[], products: CatalogProduct[], now = new Date()) =>
  draftOrders({ checkoutId, buyerId: 'b', items, products, shippingAddress: address, now });

describe('checkout lines', () => {
  it('when items of two sellers are drafted, then there is one order per seller with totals', () => {
    const orders = draft(
      [
        { productId: 'p1', quantity: 2 },
        { productId: 'p2', quantity: 1 },
        { productId: 'p3', quantity: 3 },
      ],
      [product('p1', 's1'), product('p2', 's2', { priceMinor: 1000 }), product('p3', 's1')],
      new Date('2030-01-01T00:00:00Z'),
    );
    expect(orders.map((o) => [o.sellerId, o.totalMinor, o.items.length])).toEqual([
      ['s1', 1250, 2],
      ['s2', 1000, 1],
    ]);
    expect(orders[0]?.items[0]).toEqual({
      productId: 'p1',
      title: 'T p1',
      priceMinor: 250,
      quantity: 2,
    });
  });

  it('when a product is unknown or archived, then the error names its line', () => {
    const error = caught(() =>
      draft(
        [
          { productId: 'p1', quantity: 1 },
          { productId: 'gone', quantity: 1 },
          { productId: 'p2', quantity: 1 },
        ],
        [product('p1', 's'), product('p2', 's', { status: 'archived' })],
      ),
    );
    expect(error.status).toBe(422);
    expect(error.code).toBe('product-unavailable');
    expect(error.errors?.map((e) => e.field)).toEqual(['items.1.productId', 'items.2.productId']);
  });

  it('when one seller lists lines in two currencies, then the checkout is refused', () => {
    const error = caught(() =>
      draft(
        [
          { productId: 'p1', quantity: 1 },
          { productId: 'p2', quantity: 1 },
        ],
        [product('p1', 's'), product('p2', 's', { currency: 'USD' })],
      ),
    );
    expect(error.code).toBe('mixed-currency');
    expect(error.errors?.[0]?.field).toBe('items.1.productId');
  });

  it('when a product repeats, then the repeated line is named', () => {
    const error = caught(() =>
      assertDistinctProducts([
        { productId: 'a', quantity: 1 },
        { productId: 'b', quantity: 1 },
        { productId: 'a', quantity: 2 },
      ]),
    );
    expect(error.status).toBe(400);
    expect(error.code).toBe('validation-error');
    expect(error.errors?.[0]?.field).toBe('items.2.productId');
  });

  it('when stock runs short, then the 409 names each short line by position', () => {
    const items = [
      { productId: 'a', quantity: 1 },
      { productId: 'b', quantity: 9 },
    ];
    const error = reservationRefused(
      items,
      new ReservationRefusedError('insufficient-stock', [
        { productId: 'b', message: 'only 1 left' },
      ]),
    );
    expect(error.status).toBe(409);
    expect(error.code).toBe('insufficient-stock');
    expect(error.errors).toEqual([{ field: 'items.1.quantity', message: 'only 1 left' }]);
  });

  it('when a product was archived since the lookup, then the 422 names its line by position', () => {
    const error = reservationRefused(
      [{ productId: 'a', quantity: 1 }],
      new ReservationRefusedError('product-unavailable', [
        { productId: 'a', message: 'is no longer sold' },
      ]),
    );
    expect(error.status).toBe(422);
    expect(error.code).toBe('product-unavailable');
    expect(error.errors).toEqual([{ field: 'items.0.productId', message: 'is no longer sold' }]);
  });
});
