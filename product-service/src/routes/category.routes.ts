import {
  CategoryBodySchema,
  CategoryPatchBodySchema,
  CategoryRecordSchema,
  CategoryTreeSchema,
  IdParamsSchema,
  problemResponses,
  SellerSchema,
} from '@marketplace/contracts';
import type { ServiceApp } from '@marketplace/service-kit';
import { authenticate, type AccessTokenVerifier } from '@marketplace/jwt';
import { Type } from 'typebox';
import type { CatalogService } from '../domain/catalog.service.ts';
import type { CategoryService } from '../domain/category.service.ts';

export interface CategoryRoutesDeps {
  catalog: CatalogService;
  categories: CategoryService;
  verifier: AccessTokenVerifier;
}

const tags = ['categories'];
const security = [{ bearer: [] }];

export function registerCategoryRoutes(app: ServiceApp, deps: CategoryRoutesDeps): void {
  const { catalog, categories, verifier } = deps;
  const adminOnly = authenticate(verifier, ['admin']);

  app.get(
    '/api/categories',
    {
      config: { cache: 'categories' },
      schema: {
        operationId: 'getCategoryTree',
        summary: 'The category tree, with the active products in each node and below',
        tags,
        security: [],
        response: { 200: CategoryTreeSchema },
      },
    },
    async () => catalog.categoryTree(),
  );

  app.post(
    '/api/categories',
    {
      onRequest: adminOnly,
      schema: {
        tags,
        security,
        operationId: 'createCategory',
        summary: 'Add a category (admin)',
        body: CategoryBodySchema,
        response: { 201: CategoryRecordSchema, ...problemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => reply.code(201).send(await categories.create(request.body)),
  );

  app.patch(
    '/api/categories/:id',
    {
      onRequest: adminOnly,
      schema: {
        tags,
        security,
        operationId: 'updateCategory',
        summary: 'Rename, move or reorder a category (admin)',
        params: IdParamsSchema,
        body: CategoryPatchBodySchema,
        response: {
          200: CategoryRecordSchema,
          ...problemResponses(400, 401, 403, 404, 409, 422),
        },
      },
    },
    async (request) => categories.update(request.params.id, request.body),
  );

  app.delete(
    '/api/categories/:id',
    {
      onRequest: adminOnly,
      schema: {
        tags,
        security,
        operationId: 'deleteCategory',
        summary: 'Delete an empty category (admin)',
        params: IdParamsSchema,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      await categories.remove(request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/api/sellers/:id',
    {
      config: { cache: 'seller' },
      schema: {
        operationId: 'getSeller',
        summary: "A seller's public page",
        tags: ['sellers'],
        security: [],
        params: IdParamsSchema,
        response: { 200: SellerSchema, ...problemResponses(400, 404) },
      },
    },
    async (request) => catalog.seller(request.params.id),
  );
}
