import { Type } from 'typebox';
import { OrderStatusSchema, Page, PageQuerySchema, RoleSchema } from '@marketplace/contracts';

/** Text a person typed: at least one visible character. */
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: '\\S' });

export const ShippingAddressSchema = Type.Object({
  name: Text(200),
  line1: Text(200),
  line2: Type.Optional(Type.String({ maxLength: 200 })),
  city: Text(100),
  postalCode: Text(20),
  country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2, upper case' }),
});

export const CheckoutBodySchema = Type.Object({
  items: Type.Array(
    Type.Object({
      productId: Type.String({ format: 'uuid' }),
      quantity: Type.Integer({ minimum: 1, maximum: 100 }),
    }),
    { minItems: 1, maxItems: 50, description: 'Each product at most once.' },
  ),
  shippingAddress: ShippingAddressSchema,
});

export const OrderSchema = Type.Object({
  id: Type.String(),
  checkoutId: Type.String(),
  buyerId: Type.String(),
  sellerId: Type.String(),
  status: OrderStatusSchema,
  items: Type.Array(
    Type.Object({
      productId: Type.String(),
      title: Type.String(),
      priceMinor: Type.Integer(),
      quantity: Type.Integer(),
    }),
  ),
  totalMinor: Type.Integer(),
  currency: Type.String(),
  shippingAddress: ShippingAddressSchema,
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const CheckoutResponseSchema = Type.Object({
  checkoutId: Type.String(),
  orders: Type.Array(OrderSchema),
});

export const OrderPageSchema = Page(OrderSchema);

export const OrderParamsSchema = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const PageQuery = PageQuerySchema;

export const SellerOrdersQuerySchema = Type.Object({
  ...PageQuerySchema.properties,
  status: Type.Optional(OrderStatusSchema),
});

export const StatusChangeBodySchema = Type.Object({
  status: OrderStatusSchema,
  note: Type.Optional(Type.String({ maxLength: 500 })),
});

export const HistorySchema = Type.Object({
  items: Type.Array(
    Type.Object({
      from: Type.Union([OrderStatusSchema, Type.Null()]),
      to: OrderStatusSchema,
      note: Type.Union([Type.String(), Type.Null()]),
      actorId: Type.String(),
      actorRole: RoleSchema,
      at: Type.String({ format: 'date-time' }),
    }),
  ),
});
