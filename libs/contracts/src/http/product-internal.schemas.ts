import { Type, type Static } from 'typebox';
import { Uuid } from './common.schemas.ts';
import { ProductStatusSchema } from './product.schemas.ts';

/**
 * product-service's internal API (`/internal/...`, behind `x-internal-token`), as order-service
 * calls it. Refusals are problem+json (`ProblemSchema`) told apart by `code`.
 */

/** Ids order-service makes up (checkout and order ids), not necessarily UUIDs. */
const ExternalId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });

export const ProductLookupBodySchema = Type.Object({ ids: Type.Array(Uuid, { maxItems: 100 }) });
export type ProductLookupBody = Static<typeof ProductLookupBodySchema>;

/** What a checkout needs to know of a product: who sells it, at what price, and whether it may. */
export const CatalogProductSchema = Type.Object({
  id: Type.String(),
  sellerId: Type.String(),
  title: Type.String(),
  priceMinor: Type.Integer({ minimum: 0 }),
  currency: Type.String(),
  stock: Type.Integer(),
  status: ProductStatusSchema,
});
export type CatalogProduct = Static<typeof CatalogProductSchema>;

/** Unknown ids are simply absent. */
export const ProductLookupResponseSchema = Type.Object({ items: Type.Array(CatalogProductSchema) });
export type ProductLookupResponse = Static<typeof ProductLookupResponseSchema>;

export const ReservationBodySchema = Type.Object({
  checkoutId: ExternalId,
  orders: Type.Array(
    Type.Object({
      orderId: ExternalId,
      items: Type.Array(
        Type.Object({ productId: Uuid, quantity: Type.Integer({ minimum: 1, maximum: 10_000 }) }),
        { minItems: 1, maxItems: 100 },
      ),
    }),
    { minItems: 1, maxItems: 50 },
  ),
});
export type ReservationBody = Static<typeof ReservationBodySchema>;

/** A refusal is a 409 `insufficient-stock` or `product-unavailable` naming `items.<productId>`. */
export const ReservationResponseSchema = Type.Object({ reserved: Type.Literal(true) });
export type ReservationResponse = Static<typeof ReservationResponseSchema>;

export const ReservationParamsSchema = Type.Object({ orderId: ExternalId });
export type ReservationParams = Static<typeof ReservationParamsSchema>;

/** `released` is false when nothing was held (already released, or never reserved). */
export const ReleaseResponseSchema = Type.Object({ released: Type.Boolean() });
export type ReleaseResponse = Static<typeof ReleaseResponseSchema>;
