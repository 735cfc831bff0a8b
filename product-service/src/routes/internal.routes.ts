import { Type } from 'typebox';
import type { ServiceApp } from '@marketplace/service-kit';
import type { StockService } from '../domain/stock.service.ts';
import { requireInternalToken } from './internal-token.ts';
import { ProblemRef, Uuid } from './schemas.ts';

const ExternalId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' });

const LookupBody = Type.Object({ ids: Type.Array(Uuid, { maxItems: 100 }) });

const LookupResponse = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      sellerId: Type.String(),
      title: Type.String(),
      priceMinor: Type.Integer(),
      currency: Type.String(),
      stock: Type.Integer(),
      status: Type.Enum(['active', 'archived']),
    }),
  ),
});

const ReservationBody = Type.Object({
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

export interface InternalRoutesDeps {
  stock: StockService;
  internalToken: string;
}

const tags = ['internal'];

/** Service-to-service routes under /internal; the gateway never routes them. */
export function registerInternalRoutes(app: ServiceApp, deps: InternalRoutesDeps): void {
  const { stock } = deps;
  const guard = requireInternalToken(deps.internalToken);

  app.post(
    '/internal/products/lookup',
    {
      onRequest: guard,
      schema: {
        tags,
        summary: 'Products by id, for pricing a checkout',
        body: LookupBody,
        response: { 200: LookupResponse, 400: ProblemRef, 401: ProblemRef },
      },
    },
    async (request) => ({ items: await stock.lookup(request.body.ids) }),
  );

  app.post(
    '/internal/stock/reservations',
    {
      onRequest: guard,
      schema: {
        tags,
        summary: 'Reserve stock for the orders of a checkout, all or nothing, idempotent per order',
        body: ReservationBody,
        response: {
          200: Type.Object({ reserved: Type.Literal(true) }),
          400: ProblemRef,
          401: ProblemRef,
          409: ProblemRef,
        },
      },
    },
    async (request) => {
      await stock.reserve(request.body);
      return { reserved: true as const };
    },
  );

  app.post(
    '/internal/stock/reservations/:orderId/release',
    {
      onRequest: guard,
      schema: {
        tags,
        summary: "Put an order's reserved stock back (idempotent)",
        params: Type.Object({ orderId: ExternalId }),
        response: {
          200: Type.Object({ released: Type.Boolean() }),
          400: ProblemRef,
          401: ProblemRef,
        },
      },
    },
    async (request) => ({ released: await stock.release(request.params.orderId) }),
  );
}
