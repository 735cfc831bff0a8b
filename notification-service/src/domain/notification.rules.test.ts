import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '@marketplace/contracts';
import { notificationsFor } from './notification.rules.ts';
import { formatMoney } from './notification.templates.ts';

const envelope = {
  id: 'e',
  version: 1,
  occurredAt: '2025-01-01T00:00:00.000Z',
  correlationId: null,
};
const orderId = '3f2a1b4c-0000-4000-8000-000000000001';

describe('notification rules', () => {
  it('when a user registers, then only that user is greeted by name', () => {
    const event: DomainEvent = {
      ...envelope,
      type: 'user.registered',
      data: { userId: 'u1', email: 'a@b.c', name: 'Ada', role: 'seller' },
    };
    const [welcome, ...rest] = notificationsFor(event);
    expect(rest).toEqual([]);
    expect(welcome).toMatchObject({ userId: 'u1', type: 'welcome' });
    expect(welcome?.title).toContain('Ada');
    expect(welcome?.body).toContain('first product');
  });

  it('when an order is created, then the buyer and the seller are told with count and total', () => {
    const event: DomainEvent = {
      ...envelope,
      type: 'order.created',
      data: {
        orderId,
        checkoutId: 'c1',
        buyerId: 'b1',
        sellerId: 's1',
        items: [
          { productId: 'p1', title: 'Lamp', quantity: 2, priceMinor: 1500 },
          { productId: 'p2', title: 'Chair', quantity: 1, priceMinor: 1250 },
        ],
        totalMinor: 4250,
        currency: 'EUR',
      },
    };
    const [buyer, seller] = notificationsFor(event);
    expect(buyer).toMatchObject({ userId: 'b1', type: 'order.placed' });
    expect(buyer?.title).toBe('Order placed: 3 items, total €42.50');
    expect(buyer?.body).toBe('Order #3f2a1b4c: 2 × Lamp, 1 × Chair.');
    expect(seller).toMatchObject({ userId: 's1', type: 'order.received' });
    expect(seller?.title).toBe('New order: 3 items, total €42.50');
    expect(buyer?.data).toMatchObject({ orderId, totalMinor: 4250, currency: 'EUR' });
  });

  it('when an order ships, then only the buyer is told, with the note', () => {
    const event: DomainEvent = {
      ...envelope,
      type: 'order.status_changed',
      data: {
        orderId,
        buyerId: 'b1',
        sellerId: 's1',
        from: 'confirmed',
        to: 'shipped',
        note: 'DHL 123',
      },
    };
    const drafts = notificationsFor(event);
    expect(drafts).toHaveLength(1);
    expect(drafts[0]).toMatchObject({
      userId: 'b1',
      type: 'order.shipped',
      title: 'Your order was shipped',
    });
    expect(drafts[0]?.body).toBe('Order #3f2a1b4c was shipped. Note: DHL 123');
  });

  it('when an order is cancelled, then the buyer and the seller are told', () => {
    const event: DomainEvent = {
      ...envelope,
      type: 'order.status_changed',
      data: {
        orderId,
        buyerId: 'b1',
        sellerId: 's1',
        from: 'created',
        to: 'cancelled',
        note: null,
      },
    };
    const drafts = notificationsFor(event);
    expect(drafts.map((d) => [d.userId, d.type])).toEqual([
      ['b1', 'order.cancelled'],
      ['s1', 'order.cancelled'],
    ]);
    expect(drafts[0]?.body).toBe('Order #3f2a1b4c was cancelled.');
  });
});

describe('formatMoney', () => {
  it('when a currency has no minor unit, then the amount is not divided', () => {
    expect(formatMoney(1500, 'JPY')).toBe('¥1,500');
  });

  it('when the currency code is unknown, then the amount still reads as a number and code', () => {
    expect(formatMoney(1234, 'ZZZ1')).toBe('12.34 ZZZ1');
  });

  it('when the amount is in cents, then two decimals are shown', () => {
    expect(formatMoney(199, 'USD')).toBe('$1.99');
  });
});
