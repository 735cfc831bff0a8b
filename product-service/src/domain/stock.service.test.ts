import { describe, expect, it } from 'vitest';
import { AppError } from '@marketplace/service-kit';
import { normalizeOrders } from './stock.service.ts';

describe('reservation requests', () => {
  it('when an order repeats a product, then its lines are merged, orders sorted by id', () => {
    expect(
      normalizeOrders([
        { orderId: 'o2', items: [{ productId: 'p1', quantity: 1 }] },
        {
          orderId: 'o1',
          items: [
            { productId: 'p2', quantity: 2 },
            { productId: 'p2', quantity: 3 },
          ],
        },
      ]),
    ).toEqual([
      { orderId: 'o1', items: [{ productId: 'p2', quantity: 5 }] },
      { orderId: 'o2', items: [{ productId: 'p1', quantity: 1 }] },
    ]);
  });

  it('when an order id appears twice, then the request is refused', () => {
    const order = { orderId: 'o1', items: [{ productId: 'p1', quantity: 1 }] };
    expect(() => normalizeOrders([order, order])).toThrow(AppError);
  });
});
