import { Type, type Static } from 'typebox';
import { OrderStatusSchema } from '../events.ts';
import { Page, PageQuerySchema } from '../pagination.ts';
import { RoleSchema } from '../roles.ts';
import { DateTime, Nullable, Text, Uuid } from './common.schemas.ts';
import { PostalAddressSchema } from './user.schemas.ts';

/** order-service's public API: checkout, orders, their status and its history. */

/** Where an order goes: a postal address and the name to deliver to (a profile's `Address`, name required). */
export const ShippingAddressSchema = Type.Object({
  name: Text(200),
  ...PostalAddressSchema.properties,
});
export type ShippingAddress = Static<typeof ShippingAddressSchema>;

export const CheckoutItemSchema = Type.Object({
  productId: Uuid,
  quantity: Type.Integer({ minimum: 1, maximum: 100 }),
});
export type CheckoutItem = Static<typeof CheckoutItemSchema>;

export const CheckoutBodySchema = Type.Object({
  items: Type.Array(CheckoutItemSchema, {
    minItems: 1,
    maxItems: 50,
    description: 'Each product at most once.',
  }),
  shippingAddress: ShippingAddressSchema,
});
export type CheckoutBody = Static<typeof CheckoutBodySchema>;

/** A line as ordered: title and price are snapshotted at checkout. */
export const OrderItemSchema = Type.Object({
  productId: Type.String(),
  title: Type.String(),
  priceMinor: Type.Integer(),
  quantity: Type.Integer(),
});
export type OrderItem = Static<typeof OrderItemSchema>;

export const OrderSchema = Type.Object({
  id: Type.String(),
  checkoutId: Type.String(),
  buyerId: Type.String(),
  sellerId: Type.String(),
  status: OrderStatusSchema,
  items: Type.Array(OrderItemSchema),
  totalMinor: Type.Integer(),
  currency: Type.String(),
  shippingAddress: ShippingAddressSchema,
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type Order = Static<typeof OrderSchema>;

/** One order per seller of the checkout. */
export const CheckoutResultSchema = Type.Object({
  checkoutId: Type.String(),
  orders: Type.Array(OrderSchema),
});
export type CheckoutResult = Static<typeof CheckoutResultSchema>;

export const OrderPageSchema = Page(OrderSchema);
export type OrderPage = Static<typeof OrderPageSchema>;

// Not a Uuid: an id of another shape is simply not found (404), not a bad request.
export const OrderParamsSchema = Type.Object({ id: Type.String({ maxLength: 64 }) });
export type OrderParams = Static<typeof OrderParamsSchema>;

export const SellerOrdersQuerySchema = Type.Object({
  ...PageQuerySchema.properties,
  status: Type.Optional(OrderStatusSchema),
});
export type SellerOrdersQuery = Static<typeof SellerOrdersQuerySchema>;

const Count = Type.Integer({ minimum: 0 });

/**
 * `GET /api/seller/summary`: the calling seller's orders counted per status, and revenue per
 * currency: delivered, and open (created, confirmed or shipped; cancelled orders count for
 * neither). Every status is present, 0 when the seller has none.
 */
export const SellerSummarySchema = Type.Object({
  counts: Type.Object({
    created: Count,
    confirmed: Count,
    shipped: Count,
    delivered: Count,
    cancelled: Count,
  }),
  revenue: Type.Array(
    Type.Object({
      currency: Type.String(),
      deliveredMinor: Count,
      openMinor: Count,
    }),
    { description: 'One entry per currency the seller has orders in, by currency code.' },
  ),
});
export type SellerSummary = Static<typeof SellerSummarySchema>;

export const StatusChangeBodySchema = Type.Object({
  status: OrderStatusSchema,
  note: Type.Optional(Type.String({ maxLength: 500 })),
});
export type StatusChangeBody = Static<typeof StatusChangeBodySchema>;

export const HistoryEntrySchema = Type.Object({
  from: Nullable(OrderStatusSchema),
  to: OrderStatusSchema,
  note: Nullable(Type.String()),
  actorId: Type.String(),
  actorRole: RoleSchema,
  at: DateTime,
});
export type HistoryEntry = Static<typeof HistoryEntrySchema>;

/** Oldest first; the first entry is the checkout (`from: null`). */
export const OrderHistorySchema = Type.Object({ items: Type.Array(HistoryEntrySchema) });
export type OrderHistory = Static<typeof OrderHistorySchema>;
