import { describe, expect, it } from 'vitest';
import { orderIdFor } from './order-ids.ts';

const checkout = '6f1c2b8e-3d4a-4c5b-9e6f-7a8b9c0d1e2f';

describe('order ids', () => {
  it('when derived twice for the same checkout and seller, then they are equal', () => {
    expect(orderIdFor(checkout, 'seller-1')).toBe(orderIdFor(checkout, 'seller-1'));
  });

  it('when the seller or the checkout differs, then the ids differ', () => {
    const other = '0b5e7c6a-1111-4222-8333-444455556666';
    expect(orderIdFor(checkout, 'seller-1')).not.toBe(orderIdFor(checkout, 'seller-2'));
    expect(orderIdFor(checkout, 'seller-1')).not.toBe(orderIdFor(other, 'seller-1'));
  });

  it('when derived, then it is a version 5 UUID', () => {
    expect(orderIdFor(checkout, 's')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('when the checkout id is not a UUID, then it throws', () => {
    expect(() => orderIdFor('nope', 's')).toThrow();
  });
});
