/** A reservation as the stock rules see it: per order, one line per product once normalised. */
export interface ReservationLine {
  productId: string;
  quantity: number;
}

export interface OrderReservation {
  orderId: string;
  items: readonly ReservationLine[];
}

/** Why a product could not be reserved. */
export interface Shortage {
  productId: string;
  reason: 'unknown' | 'archived' | 'insufficient';
  requested: number;
  available: number;
}
