import { Type, type Static } from 'typebox';

/** The exchange every service publishes domain events to (topic, durable). */
export const EVENTS_EXCHANGE = 'marketplace.events';

/**
 * W3C Trace Context (https://www.w3.org/TR/trace-context/) of the operation that caused an event,
 * as its `traceparent` and `tracestate` headers would carry it.
 */
export interface TraceContext {
  traceparent: string;
  tracestate?: string;
}

export interface EventEnvelope<TType extends string = string, TData = unknown> {
  id: string;
  type: TType;
  version: number;
  occurredAt: string;
  correlationId: string | null;
  /**
   * Where the event was caused in a trace: the relay's publish and each consumer's handling
   * continue it. Absent when tracing is off (or nothing was traced); consumers never need it.
   */
  traceContext?: TraceContext;
  data: TData;
}

export const OrderItemSnapshotSchema = Type.Object({
  productId: Type.String(),
  title: Type.String(),
  quantity: Type.Integer({ minimum: 1 }),
  priceMinor: Type.Integer({ minimum: 0 }),
});

export const UserRegisteredData = Type.Object({
  userId: Type.String(),
  email: Type.String(),
  name: Type.String(),
  role: Type.Union([Type.Literal('buyer'), Type.Literal('seller'), Type.Literal('admin')]),
});

/**
 * An account's name, language, role or blocked flag changed (version 1): the whole current value
 * of each, so a consumer keeps its copy true from the newest event alone.
 */
export const UserUpdatedData = Type.Object({
  userId: Type.String(),
  name: Type.String(),
  language: Type.Union([Type.Literal('en'), Type.Literal('ru')]),
  blocked: Type.Boolean(),
  role: Type.Union([Type.Literal('buyer'), Type.Literal('seller'), Type.Literal('admin')]),
});

export const OrderCreatedData = Type.Object({
  orderId: Type.String(),
  checkoutId: Type.String(),
  buyerId: Type.String(),
  sellerId: Type.String(),
  items: Type.Array(OrderItemSnapshotSchema),
  totalMinor: Type.Integer({ minimum: 0 }),
  currency: Type.String({ minLength: 3, maxLength: 3 }),
});

export const OrderStatusSchema = Type.Union([
  Type.Literal('created'),
  Type.Literal('confirmed'),
  Type.Literal('shipped'),
  Type.Literal('delivered'),
  Type.Literal('cancelled'),
]);
export type OrderStatus = Static<typeof OrderStatusSchema>;

export const OrderStatusChangedData = Type.Object({
  orderId: Type.String(),
  buyerId: Type.String(),
  sellerId: Type.String(),
  from: OrderStatusSchema,
  to: OrderStatusSchema,
  note: Type.Union([Type.String(), Type.Null()]),
});

/**
 * A product was listed or changed: an edit, a stock move (a reservation, a release, a seller's
 * adjustment) or archiving. It carries the product's current price, stock and status with its
 * `version`; a consumer that needs more reads the product (its version tells which is newer).
 */
export const ProductUpdatedData = Type.Object({
  productId: Type.String(),
  sellerId: Type.String(),
  version: Type.Integer({ minimum: 1 }),
  priceMinor: Type.Integer({ minimum: 0 }),
  currency: Type.String({ minLength: 3, maxLength: 3 }),
  stock: Type.Integer({ minimum: 0 }),
  status: Type.Union([Type.Literal('active'), Type.Literal('archived')]),
});

export const EventDataSchemas = {
  'user.registered': UserRegisteredData,
  'user.updated': UserUpdatedData,
  'order.created': OrderCreatedData,
  'order.status_changed': OrderStatusChangedData,
  'product.updated': ProductUpdatedData,
} as const;

export type EventType = keyof typeof EventDataSchemas;
export type EventData<T extends EventType> = Static<(typeof EventDataSchemas)[T]>;
export type DomainEvent = {
  [T in EventType]: EventEnvelope<T, EventData<T>>;
}[EventType];
