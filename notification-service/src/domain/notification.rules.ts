import type { DomainEvent, EventData } from '@marketplace/contracts';
import type { NotificationDraft } from './notification.model.ts';
import {
  orderPlacedText,
  orderReceivedText,
  orderStatusText,
  sellerOrderCancelledText,
  welcomeText,
} from './notification.templates.ts';

/**
 * Who is told what about an event: the buyer of each of their orders' events, the seller of new
 * orders (and of cancellations), and every new user a greeting.
 */
export function notificationsFor(event: DomainEvent): NotificationDraft[] {
  switch (event.type) {
    case 'user.registered': {
      const { userId, name, role } = event.data;
      return [{ userId, type: 'welcome', ...welcomeText(name, role), data: { role } }];
    }
    // Kept for the live streams (a blocked user's close); a profile change tells no one.
    case 'user.updated':
      return [];
    // Not bound by this service's queue (price and stock alerts would start here).
    case 'product.updated':
      return [];
    case 'order.created':
      return orderCreated(event.data);
    case 'order.status_changed':
      return orderStatusChanged(event.data);
  }
}

function orderCreated(order: EventData<'order.created'>): NotificationDraft[] {
  const data = {
    orderId: order.orderId,
    checkoutId: order.checkoutId,
    totalMinor: order.totalMinor,
    currency: order.currency,
  };
  return [
    { userId: order.buyerId, type: 'order.placed', ...orderPlacedText(order), data },
    { userId: order.sellerId, type: 'order.received', ...orderReceivedText(order), data },
  ];
}

function orderStatusChanged(change: EventData<'order.status_changed'>): NotificationDraft[] {
  const { orderId, to, from, note } = change;
  // Orders start as `created`; no transition leads back to it.
  if (to === 'created') return [];
  const data = { orderId, from, to, note };
  const drafts: NotificationDraft[] = [
    { userId: change.buyerId, type: `order.${to}`, ...orderStatusText(orderId, to, note), data },
  ];
  // The event does not say who cancelled; the seller hears of every cancellation.
  if (to === 'cancelled') {
    drafts.push({
      userId: change.sellerId,
      type: 'order.cancelled',
      ...sellerOrderCancelledText(orderId, note),
      data,
    });
  }
  return drafts;
}
