import type { OrderStatus } from '@marketplace/contracts';

/** Each status once, in the order an order goes (a status added to the contract fails here). */
const STATUS_RANK: Record<OrderStatus, number> = {
  created: 0,
  confirmed: 1,
  shipped: 2,
  delivered: 3,
  cancelled: 4,
};
export const ORDER_STATUSES = Object.keys(STATUS_RANK) as OrderStatus[];

/** The seller's next step for each status (design.md: created → confirmed → shipped → delivered). */
export function sellerNextStatus(status: OrderStatus): OrderStatus | null {
  switch (status) {
    case 'created':
      return 'confirmed';
    case 'confirmed':
      return 'shipped';
    case 'shipped':
      return 'delivered';
    case 'delivered':
    case 'cancelled':
      return null;
  }
}

/** Buyer or seller may cancel only before the order ships. */
export function canCancel(status: OrderStatus): boolean {
  return status === 'created' || status === 'confirmed';
}
