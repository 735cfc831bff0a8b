import type { OrderStatus } from '../api/types.ts';

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
