import type { ServiceApp } from '@marketplace/service-kit';
import { authenticate, currentUser, readUser, type AccessTokenVerifier } from '@marketplace/jwt';
import {
  IdParamsSchema,
  problemResponses,
  ProductBodySchema,
  ProductListQuerySchema,
  ProductPageSchema,
  ProductPatchBodySchema,
  ProductSchema,
} from '@marketplace/contracts';
import type { CatalogService } from '../domain/catalog.service.ts';
import type { ProductService } from '../domain/product.service.ts';

export interface ProductRoutesDeps {
  catalog: CatalogService;
  products: ProductService;
  verifier: AccessTokenVerifier;
}

const tags = ['products'];
const security = [{ bearer: [] }];

export function registerProductRoutes(app: ServiceApp, deps: ProductRoutesDeps): void {
  const { catalog, products, verifier } = deps;
  const sellerOnly = authenticate(verifier, ['seller', 'admin']);

  app.get(
    '/api/products',
    {
      schema: {
        tags,
        summary: 'Browse and search the catalog (active products only)',
        querystring: ProductListQuerySchema,
        response: { 200: ProductPageSchema, ...problemResponses(400) },
      },
    },
    async (request) => catalog.list(request.query),
  );

  app.get(
    '/api/products/:id',
    {
      schema: {
        tags,
        summary: 'One product; an archived one only for its seller or an admin',
        params: IdParamsSchema,
        response: { 200: ProductSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) =>
      catalog.get(request.params.id, () => readUser(verifier, request).catch(() => undefined)),
  );

  app.post(
    '/api/products',
    {
      onRequest: sellerOnly,
      schema: {
        tags,
        security,
        summary: 'List a new product (seller or admin)',
        body: ProductBodySchema,
        response: {
          201: ProductSchema,
          ...problemResponses(400, 401, 403, 422),
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await products.create(currentUser(request), request.body)),
  );

  app.patch(
    '/api/products/:id',
    {
      onRequest: sellerOnly,
      schema: {
        tags,
        security,
        summary: "Change one's own product (an admin any)",
        params: IdParamsSchema,
        body: ProductPatchBodySchema,
        response: {
          200: ProductSchema,
          ...problemResponses(400, 401, 403, 404, 422),
        },
      },
    },
    async (request) => products.update(currentUser(request), request.params.id, request.body),
  );

  app.delete(
    '/api/products/:id',
    {
      onRequest: sellerOnly,
      schema: {
        tags,
        security,
        summary: "Archive one's own product (an admin any)",
        params: IdParamsSchema,
        response: { 204: { type: 'null' }, ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await products.archive(currentUser(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
