import type { Kysely } from 'kysely';
import type { CatalogProduct, ReservationBody } from '@marketplace/contracts';
import type { FieldError } from '@marketplace/service-kit';
import { lookupProducts } from '../data/product.repository.ts';
import type { DB } from '../data/schema.ts';
import { releaseStock, reserveStock } from '../data/stock.repository.ts';
import type { ProductsChanged } from './catalog-changes.ts';
import { ProductErrors } from './errors.ts';
import type { OrderReservation, Shortage } from './stock.model.ts';

/** One line per product in each order, orders in id order (the order their rows are written). */
export function normalizeOrders(orders: readonly OrderReservation[]): OrderReservation[] {
  const seen = new Set<string>();
  for (const order of orders) {
    if (seen.has(order.orderId)) throw ProductErrors.duplicateOrder(order.orderId);
    seen.add(order.orderId);
  }
  return [...orders]
    .sort((a, b) => (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0))
    .map((order) => {
      const quantities = new Map<string, number>();
      for (const line of order.items) {
        quantities.set(line.productId, (quantities.get(line.productId) ?? 0) + line.quantity);
      }
      return {
        orderId: order.orderId,
        items: [...quantities].map(([productId, quantity]) => ({ productId, quantity })),
      };
    });
}

function shortageMessage(shortage: Shortage): string {
  switch (shortage.reason) {
    case 'unknown':
      return 'no such product';
    case 'archived':
      return 'is no longer sold';
    case 'insufficient':
      return `only ${shortage.available} left, ${shortage.requested} requested`;
  }
}

function shortageError(shortages: readonly Shortage[]) {
  const errors: FieldError[] = shortages.map((shortage) => ({
    field: `items.${shortage.productId}`,
    message: shortageMessage(shortage),
  }));
  const unavailable = shortages.some((shortage) => shortage.reason !== 'insufficient');
  return unavailable
    ? ProductErrors.productUnavailable(errors)
    : ProductErrors.insufficientStock(errors);
}

/** Stock for order-service: lookups, and reservations that never oversell. */
export class StockService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly changed: ProductsChanged,
  ) {}

  async lookup(ids: readonly string[]): Promise<CatalogProduct[]> {
    return lookupProducts(this.db, [...new Set(ids)]);
  }

  /** All or nothing; an order reserved before is not reserved again. */
  async reserve(request: ReservationBody, correlationId: string | null): Promise<void> {
    const orders = normalizeOrders(request.orders);
    const shortages = await reserveStock(this.db, request.checkoutId, orders, correlationId);
    if (shortages.length > 0) throw shortageError(shortages);
    await this.changed(orders.flatMap((order) => order.items.map((line) => line.productId)));
  }

  async release(orderId: string, correlationId: string | null): Promise<boolean> {
    const productIds = await releaseStock(this.db, orderId, correlationId);
    await this.changed(productIds);
    return productIds.length > 0;
  }
}
