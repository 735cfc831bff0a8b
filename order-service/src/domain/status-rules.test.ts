import { describe, expect, it } from 'vitest';
import { checkTransition, partiesOf, type Party } from './status-rules.ts';

const order = { buyerId: 'b', sellerId: 's' };
const as = (...parties: Party[]) => new Set(parties);

describe('order status rules', () => {
  it('when the seller moves an order forward, then each step is allowed', () => {
    expect(checkTransition('created', 'confirmed', as('seller'))).toBe('allowed');
    expect(checkTransition('confirmed', 'shipped', as('seller'))).toBe('allowed');
    expect(checkTransition('shipped', 'delivered', as('seller'))).toBe('allowed');
  });

  it('when the buyer tries a seller step, then it is forbidden', () => {
    expect(checkTransition('created', 'confirmed', as('buyer'))).toBe('forbidden');
  });

  it('when buyer or seller cancels before shipping, then it is allowed', () => {
    expect(checkTransition('created', 'cancelled', as('buyer'))).toBe('allowed');
    expect(checkTransition('confirmed', 'cancelled', as('seller'))).toBe('allowed');
  });

  it('when a step is skipped, reversed, repeated or comes after shipping, then it is invalid', () => {
    expect(checkTransition('created', 'shipped', as('admin'))).toBe('invalid');
    expect(checkTransition('shipped', 'confirmed', as('admin'))).toBe('invalid');
    expect(checkTransition('created', 'created', as('admin'))).toBe('invalid');
    expect(checkTransition('shipped', 'cancelled', as('buyer', 'seller'))).toBe('invalid');
    expect(checkTransition('cancelled', 'confirmed', as('seller'))).toBe('invalid');
  });

  it('when the caller is neither buyer, seller nor admin, then they play no part', () => {
    expect(partiesOf({ userId: 'x', role: 'seller' }, order).size).toBe(0);
    expect(partiesOf({ userId: 'x', role: 'admin' }, order)).toEqual(as('admin'));
    expect(partiesOf({ userId: 's', role: 'seller' }, { buyerId: 's', sellerId: 's' })).toEqual(
      as('buyer', 'seller'),
    );
  });
});
