import {
  problemResponses,
  ProductLookupBodySchema,
  ProductLookupResponseSchema,
  ReleaseResponseSchema,
  ReservationBodySchema,
  ReservationParamsSchema,
  ReservationResponseSchema,
} from '@marketplace/contracts';
import type { ServiceApp } from '@marketplace/service-kit';
import type { StockService } from '../domain/stock.service.ts';
import { requireInternalToken } from './internal-token.ts';

export interface InternalRoutesDeps {
  stock: StockService;
  internalToken: string;
}

const tags = ['internal'];
const security = [{ internalToken: [] }];

/** Service-to-service routes under /internal; the gateway never routes them. */
export function registerInternalRoutes(app: ServiceApp, deps: InternalRoutesDeps): void {
  const { stock } = deps;
  const guard = requireInternalToken(deps.internalToken);

  app.post(
    '/internal/products/lookup',
    {
      onRequest: guard,
      schema: {
        operationId: 'lookupProducts',
        summary: 'Products by id, for pricing a checkout',
        tags,
        security,
        body: ProductLookupBodySchema,
        response: { 200: ProductLookupResponseSchema, ...problemResponses(400, 401) },
      },
    },
    async (request) => ({ items: await stock.lookup(request.body.ids) }),
  );

  app.post(
    '/internal/stock/reservations',
    {
      onRequest: guard,
      schema: {
        operationId: 'reserveStock',
        summary: 'Reserve stock for the orders of a checkout, all or nothing, idempotent per order',
        tags,
        security,
        body: ReservationBodySchema,
        response: {
          200: ReservationResponseSchema,
          ...problemResponses(400, 401, 409),
        },
      },
    },
    async (request) => {
      await stock.reserve(request.body, request.id);
      return { reserved: true as const };
    },
  );

  app.post(
    '/internal/stock/reservations/:orderId/release',
    {
      onRequest: guard,
      schema: {
        operationId: 'releaseStock',
        summary: "Put an order's reserved stock back (idempotent)",
        tags,
        security,
        params: ReservationParamsSchema,
        response: {
          200: ReleaseResponseSchema,
          ...problemResponses(400, 401),
        },
      },
    },
    async (request) => ({
      released: await stock.release(request.params.orderId, request.id),
    }),
  );
}
