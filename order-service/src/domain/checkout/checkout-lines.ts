import type { CatalogProduct, CheckoutItem, Order, ShippingAddress } from '@marketplace/contracts';
import type { AppError, FieldError } from '@marketplace/service-kit';
import { OrderErrors } from '../errors.ts';
import { orderIdFor } from './order-ids.ts';
import type { ReservationRefusedError } from '../product-catalog.port.ts';

/** Products a buyer can order; anything else (archived, drafts) is not for sale. */
const ORDERABLE_STATUS = 'active';

/**
 * A product may appear on one line only: merging silently would hide a client bug, and the
 * per-line quantity limit would no longer mean anything.
 */
export function assertDistinctProducts(items: CheckoutItem[]): void {
  const firstLine = new Map<string, number>();
  const errors: FieldError[] = [];
  items.forEach((item, index) => {
    const first = firstLine.get(item.productId);
    if (first === undefined) firstLine.set(item.productId, index);
    else
      errors.push({
        field: `items.${index}.productId`,
        message: `repeats items.${first}.productId; put the whole quantity on one line`,
      });
  });
  if (errors.length > 0) throw OrderErrors.repeatedProducts(errors);
}

export interface OrderDraftInput {
  checkoutId: string;
  buyerId: string;
  items: CheckoutItem[];
  products: CatalogProduct[];
  shippingAddress: ShippingAddress;
  now: Date;
}

/** One order per seller, with titles, prices and currency snapshotted from the catalog. */
export function draftOrders(input: OrderDraftInput): Order[] {
  const lines = resolveProducts(input.items, input.products);
  const bySeller = new Map<
    string,
    { index: number; product: CatalogProduct; quantity: number }[]
  >();
  for (const line of lines) {
    const group = bySeller.get(line.product.sellerId) ?? [];
    group.push(line);
    bySeller.set(line.product.sellerId, group);
  }
  const at = input.now.toISOString();
  return [...bySeller].map(([sellerId, group]) => ({
    id: orderIdFor(input.checkoutId, sellerId),
    checkoutId: input.checkoutId,
    buyerId: input.buyerId,
    sellerId,
    status: 'created',
    items: group.map(({ product, quantity }) => ({
      productId: product.id,
      title: product.title,
      priceMinor: product.priceMinor,
      quantity,
    })),
    totalMinor: group.reduce((sum, l) => sum + l.product.priceMinor * l.quantity, 0),
    currency: singleCurrency(group),
    shippingAddress: input.shippingAddress,
    createdAt: at,
    updatedAt: at,
  }));
}

function resolveProducts(items: CheckoutItem[], products: CatalogProduct[]) {
  const byId = new Map(products.map((p) => [p.id, p]));
  const errors: FieldError[] = [];
  const lines = items.flatMap((item, index) => {
    const product = byId.get(item.productId);
    if (product?.status === ORDERABLE_STATUS) return [{ index, product, quantity: item.quantity }];
    errors.push({
      field: `items.${index}.productId`,
      message: product ? 'is no longer for sale' : 'does not exist',
    });
    return [];
  });
  if (errors.length > 0) throw OrderErrors.productUnavailable(errors);
  return lines;
}

/** An order is paid in one currency; a seller listing lines in several cannot share one order. */
function singleCurrency(group: { index: number; product: CatalogProduct }[]): string {
  const currency = group[0]?.product.currency ?? '';
  const odd = group.filter((l) => l.product.currency !== currency);
  if (odd.length > 0) {
    throw OrderErrors.mixedCurrency(
      currency,
      odd.map((l) => ({
        field: `items.${l.index}.productId`,
        message: `is priced in ${l.product.currency}, not ${currency}`,
      })),
    );
  }
  return currency;
}

/** The reservation was refused (nothing held): name each refused line by its position. */
export function reservationRefused(
  items: CheckoutItem[],
  error: ReservationRefusedError,
): AppError {
  const insufficient = error.reason === 'insufficient-stock';
  const errors = error.shortages.map((s) => {
    const index = items.findIndex((i) => i.productId === s.productId);
    const line = index >= 0 ? `items.${index}` : `items.${s.productId}`;
    return { field: `${line}.${insufficient ? 'quantity' : 'productId'}`, message: s.message };
  });
  return insufficient
    ? OrderErrors.insufficientStock(errors)
    : OrderErrors.productUnavailable(errors);
}
