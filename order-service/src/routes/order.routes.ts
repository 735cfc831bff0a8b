import {
  CheckoutBodySchema,
  CheckoutResultSchema,
  OrderHistorySchema,
  SellerSummarySchema,
  OrderPageSchema,
  OrderParamsSchema,
  OrderSchema,
  PageQuerySchema,
  problemResponses,
  SellerOrdersQuerySchema,
  StatusChangeBodySchema,
} from '@marketplace/contracts';
import { authenticate, currentUser, type AccessTokenVerifier } from '@marketplace/jwt';
import type { ServiceApp } from '@marketplace/service-kit';
import type { CheckoutService } from '../domain/checkout/checkout.service.ts';
import { requireIdempotencyKey } from '../domain/checkout/checkout-key.ts';
import type { OrderService } from '../domain/order.service.ts';

export interface OrderRoutesDeps {
  verifier: AccessTokenVerifier;
  checkout: CheckoutService;
  orders: OrderService;
}

const tags = ['orders'];
const readErrors = problemResponses(400, 401, 404);
const security = [{ bearer: [] }];

export function registerOrderRoutes(app: ServiceApp, deps: OrderRoutesDeps): void {
  const anyUser = authenticate(deps.verifier);
  const seller = authenticate(deps.verifier, ['seller', 'admin']);

  app.post(
    '/api/orders',
    {
      onRequest: anyUser,
      schema: {
        tags,
        security,
        operationId: 'checkout',
        summary: 'Check out: one order per seller (header Idempotency-Key required)',
        body: CheckoutBodySchema,
        response: {
          201: CheckoutResultSchema,
          ...problemResponses(400, 401, 409, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const outcome = await deps.checkout.checkout({
        buyer: currentUser(request),
        idempotencyKey: requireIdempotencyKey(request.headers['idempotency-key']),
        body: request.body,
        requestId: request.id,
      });
      if (outcome.replayed) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(outcome.body);
    },
  );

  app.get(
    '/api/orders',
    {
      onRequest: anyUser,
      schema: {
        operationId: 'listMyOrders',
        summary: "The caller's purchases, newest first",
        tags,
        security,
        querystring: PageQuerySchema,
        response: { 200: OrderPageSchema, ...readErrors },
      },
    },
    async (request) => deps.orders.listForBuyer(currentUser(request), request.query),
  );

  app.get(
    '/api/orders/:id',
    {
      onRequest: anyUser,
      schema: {
        operationId: 'getOrder',
        summary: 'One order, for its buyer, its seller or an admin (anyone else: 404)',
        tags,
        security,
        params: OrderParamsSchema,
        response: { 200: OrderSchema, ...readErrors },
      },
    },
    async (request) => deps.orders.get(currentUser(request), request.params.id),
  );

  app.get(
    '/api/orders/:id/history',
    {
      onRequest: anyUser,
      schema: {
        operationId: 'getOrderHistory',
        summary: "An order's status changes, oldest first",
        tags,
        security,
        params: OrderParamsSchema,
        response: { 200: OrderHistorySchema, ...readErrors },
      },
    },
    async (request) => ({
      items: await deps.orders.history(currentUser(request), request.params.id),
    }),
  );

  app.post(
    '/api/orders/:id/status',
    {
      onRequest: anyUser,
      schema: {
        operationId: 'changeOrderStatus',
        summary: 'Moves an order on: confirmed, shipped, delivered (seller) or cancelled',
        description:
          'created → confirmed → shipped → delivered by the seller (or an admin); cancelled ' +
          'from created or confirmed by the buyer, the seller or an admin, which puts the stock ' +
          'back. A party not allowed the step gets 403; any other step is 409 `invalid-transition`.',
        tags,
        security,
        params: OrderParamsSchema,
        body: StatusChangeBodySchema,
        response: { 200: OrderSchema, ...readErrors, ...problemResponses(403, 409) },
      },
    },
    async (request) =>
      deps.orders.changeStatus({
        actor: currentUser(request),
        orderId: request.params.id,
        to: request.body.status,
        note: request.body.note ?? null,
        requestId: request.id,
      }),
  );

  app.get(
    '/api/seller/orders',
    {
      onRequest: seller,
      schema: {
        operationId: 'listSellerOrders',
        summary:
          'The orders placed with the calling seller, newest first, by status (seller or admin)',
        tags,
        security,
        querystring: SellerOrdersQuerySchema,
        response: { 200: OrderPageSchema, ...readErrors, ...problemResponses(403) },
      },
    },
    async (request) => {
      const { status, ...page } = request.query;
      return deps.orders.listForSeller(currentUser(request), status, page);
    },
  );

  app.get(
    '/api/seller/summary',
    {
      onRequest: seller,
      schema: {
        operationId: 'getSellerSummary',
        summary:
          "The calling seller's orders per status, and revenue per currency (seller or admin)",
        tags,
        security,
        response: { 200: SellerSummarySchema, ...problemResponses(401, 403) },
      },
    },
    async (request) => deps.orders.summaryForSeller(currentUser(request)),
  );
}
