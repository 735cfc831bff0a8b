import type { Kysely } from 'kysely';
import type { EventData, Order, OrderStatus } from '@marketplace/contracts';
import { enqueueEvent } from '@marketplace/events';
import type { DB } from '../data/schema.ts';

export function orderCreatedData(order: Order): EventData<'order.created'> {
  return {
    orderId: order.id,
    checkoutId: order.checkoutId,
    buyerId: order.buyerId,
    sellerId: order.sellerId,
    items: order.items,
    totalMinor: order.totalMinor,
    currency: order.currency,
  };
}

/** Records one `order.created` per order in the outbox, in the transaction that inserts them. */
export async function enqueueOrdersCreated(
  trx: Kysely<DB>,
  orders: readonly Order[],
  correlationId: string | null,
): Promise<void> {
  for (const order of orders) {
    await enqueueEvent(trx, 'order.created', orderCreatedData(order), correlationId);
  }
}

export interface OrderStatusChange {
  order: Pick<Order, 'id' | 'buyerId' | 'sellerId'>;
  from: OrderStatus;
  to: OrderStatus;
  note: string | null;
}

export function statusChangedData(change: OrderStatusChange): EventData<'order.status_changed'> {
  return {
    orderId: change.order.id,
    buyerId: change.order.buyerId,
    sellerId: change.order.sellerId,
    from: change.from,
    to: change.to,
    note: change.note,
  };
}

/** Records `order.status_changed` in the outbox, in the transaction of the change. */
export async function enqueueStatusChanged(
  trx: Kysely<DB>,
  change: OrderStatusChange,
  correlationId: string | null,
): Promise<void> {
  await enqueueEvent(trx, 'order.status_changed', statusChangedData(change), correlationId);
}
