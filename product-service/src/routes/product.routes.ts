import type { FastifyRequest } from 'fastify';
import type { ServiceApp } from '@marketplace/service-kit';
import { authenticate, currentUser, readUser, type AccessTokenVerifier } from '@marketplace/jwt';
import {
  ATTRIBUTE_FILTER_PREFIX,
  IdParamsSchema,
  problemResponses,
  ProductBodySchema,
  ProductListQuerySchema,
  ProductPageSchema,
  ProductPatchBodySchema,
  ProductSchema,
  SellerProductsQuerySchema,
  StockAdjustmentBodySchema,
} from '@marketplace/contracts';
import type { VersionedCache } from '../cache/versioned-cache.ts';
import type { CatalogService } from '../domain/catalog.service.ts';
import { ProductErrors } from '../domain/errors.ts';
import type { ProductService, WriteContext } from '../domain/product.service.ts';
import { preSerialized, serializedBody, type SerializedBody } from '../http/conditional.ts';

export interface ProductRoutesDeps {
  catalog: CatalogService;
  /** Serialized listing pages: a hit costs neither a query nor serialization nor hashing. */
  listings: VersionedCache<SerializedBody>;
  products: ProductService;
  verifier: AccessTokenVerifier;
}

const tags = ['products'];
const security = [{ bearer: [] }];

/** The `attr.<name>` parameters of a listing, already checked by the query schema. */
export function attributeFilters(query: object): Record<string, string> {
  const filters: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (key.startsWith(ATTRIBUTE_FILTER_PREFIX) && typeof value === 'string') {
      filters[key.slice(ATTRIBUTE_FILTER_PREFIX.length)] = value;
    }
  }
  return filters;
}

/** The version an `If-Match: "12"` names; undefined without the header. */
function expectedVersion(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined) return undefined;
  const match = /^\s*"(\d{1,10})"\s*$/.exec(header);
  const version = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(version)) throw ProductErrors.invalidIfMatch();
  return version;
}

function writeContext(request: FastifyRequest): WriteContext {
  return { actor: currentUser(request), correlationId: request.id };
}

export function registerProductRoutes(app: ServiceApp, deps: ProductRoutesDeps): void {
  const { catalog, listings, products, verifier } = deps;
  const sellerOnly = authenticate(verifier, ['seller', 'admin']);

  app.get(
    '/api/products',
    {
      config: { cache: 'listing' },
      schema: {
        operationId: 'listProducts',
        summary: 'Browse and search the catalog (active products only)',
        tags,
        security: [],
        querystring: ProductListQuerySchema,
        response: { 200: ProductPageSchema, ...problemResponses(400, 503) },
      },
    },
    async (request, reply) => {
      const listing = await catalog.request(request.query, attributeFilters(request.query));
      const body = await listings.getOrLoad(JSON.stringify(listing), async () =>
        serializedBody(reply.serialize(await catalog.list(listing))),
      );
      return preSerialized(reply, body);
    },
  );

  app.get(
    '/api/products/:id',
    {
      config: { cache: 'product' },
      schema: {
        operationId: 'getProduct',
        summary: 'One product; an archived one only for its seller or an admin',
        tags,
        // Public; a token is optional and shows its seller (or an admin) an archived product.
        security: [{}, { bearer: [] }],
        params: IdParamsSchema,
        response: { 200: ProductSchema, ...problemResponses(400, 404) },
      },
    },
    async (request, reply) => {
      const read = await catalog.get(request.params.id, () =>
        readUser(verifier, request).catch(() => undefined),
      );
      // The version is the ETag: what If-Match on a PATCH compares with. A private answer (an
      // archived product to its seller) gets none: no cache may keep or revalidate it.
      if (read.public) reply.header('etag', `"${read.product.version}"`);
      else reply.header('cache-control', 'private, no-store');
      return read.product;
    },
  );

  app.get(
    '/api/seller/products',
    {
      onRequest: sellerOnly,
      schema: {
        tags,
        security,
        operationId: 'listSellerProducts',
        summary:
          "One's own products, newest first; archived ones with status=archived (seller or admin)",
        querystring: SellerProductsQuerySchema,
        response: { 200: ProductPageSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      // The seller's own view, archived products among them: never kept by a shared cache.
      reply.header('cache-control', 'private, no-store');
      return products.listOwn(currentUser(request), request.query);
    },
  );

  app.post(
    '/api/products',
    {
      onRequest: sellerOnly,
      schema: {
        tags,
        security,
        operationId: 'createProduct',
        summary: 'List a new product (seller or admin)',
        body: ProductBodySchema,
        response: {
          201: ProductSchema,
          ...problemResponses(400, 401, 403, 422),
        },
      },
    },
    async (request, reply) => {
      const product = await products.create(writeContext(request), request.body);
      return reply.code(201).header('etag', `"${product.version}"`).send(product);
    },
  );

  app.patch(
    '/api/products/:id',
    {
      onRequest: sellerOnly,
      schema: {
        tags,
        security,
        operationId: 'updateProduct',
        summary: "Change one's own product (an admin any); If-Match: the version read",
        params: IdParamsSchema,
        body: ProductPatchBodySchema,
        response: {
          200: ProductSchema,
          ...problemResponses(400, 401, 403, 404, 412, 422, 428),
        },
      },
    },
    async (request, reply) => {
      const product = await products.update(
        writeContext(request),
        request.params.id,
        request.body,
        expectedVersion(request),
      );
      return reply.header('etag', `"${product.version}"`).send(product);
    },
  );

  app.post(
    '/api/products/:id/stock',
    {
      onRequest: sellerOnly,
      schema: {
        tags,
        security,
        operationId: 'adjustProductStock',
        summary: "Adjust one's own product's stock by a delta, atomically (an admin any)",
        params: IdParamsSchema,
        body: StockAdjustmentBodySchema,
        response: {
          200: ProductSchema,
          ...problemResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const product = await products.adjustStock(
        writeContext(request),
        request.params.id,
        request.body.delta,
      );
      return reply.header('etag', `"${product.version}"`).send(product);
    },
  );

  app.delete(
    '/api/products/:id',
    {
      onRequest: sellerOnly,
      schema: {
        tags,
        security,
        operationId: 'archiveProduct',
        summary: "Archive one's own product (an admin any)",
        params: IdParamsSchema,
        response: { 204: { type: 'null' }, ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      await products.archive(writeContext(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}
