import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

const CatalogProduct = Type.Object({
  id: Type.String(),
  sellerId: Type.String(),
  title: Type.String(),
  priceMinor: Type.Integer({ minimum: 0 }),
  currency: Type.String(),
  stock: Type.Integer(),
  status: Type.String(),
});
export type CatalogProduct = Static<typeof CatalogProduct>;

const LookupResponse = Type.Object({ items: Type.Array(CatalogProduct) });
const ProblemErrors = Type.Object({
  type: Type.String(),
  errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
});

export interface ReservationRequest {
  checkoutId: string;
  orders: { orderId: string; items: { productId: string; quantity: number }[] }[];
}

/** product-service could not be reached, timed out, or answered something it should not. */
export class CatalogUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CatalogUnavailableError';
  }
}

export interface Shortage {
  productId: string;
  message: string;
}

/**
 * product-service refused the whole reservation (nothing is held): too little stock, or a
 * product archived since the lookup.
 */
export class ReservationRefusedError extends Error {
  constructor(
    readonly reason: 'insufficient-stock' | 'product-unavailable',
    readonly shortages: Shortage[],
  ) {
    super(`reservation refused: ${reason}`);
    this.name = 'ReservationRefusedError';
  }
}

export interface ProductCatalog {
  lookup(ids: string[], requestId: string): Promise<CatalogProduct[]>;
  reserve(request: ReservationRequest, requestId: string): Promise<void>;
  release(orderId: string, requestId: string | null): Promise<void>;
}

export interface ProductClientOptions {
  baseUrl: string;
  internalToken: string;
  timeoutMs: number;
}

/** product-service's internal API over HTTP (never through the gateway). */
export function createProductClient(options: ProductClientOptions): ProductCatalog {
  const base = options.baseUrl.replace(/\/+$/, '');

  async function post(path: string, body: unknown, requestId: string | null): Promise<Response> {
    try {
      return await fetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-internal-token': options.internalToken,
          ...(requestId ? { 'x-request-id': requestId } : {}),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      throw new CatalogUnavailableError(`product-service unreachable on ${path}`, { cause: error });
    }
  }

  async function json(response: Response, path: string): Promise<unknown> {
    try {
      return await response.json();
    } catch (error) {
      throw new CatalogUnavailableError(`product-service sent no JSON on ${path}`, {
        cause: error,
      });
    }
  }

  function unexpected(response: Response, path: string): CatalogUnavailableError {
    return new CatalogUnavailableError(`product-service answered ${response.status} on ${path}`);
  }

  return {
    async lookup(ids, requestId) {
      const path = '/internal/products/lookup';
      const response = await post(path, { ids }, requestId);
      if (response.status !== 200) throw unexpected(response, path);
      const body = await json(response, path);
      if (!Value.Check(LookupResponse, body)) {
        throw new CatalogUnavailableError(`product-service sent an unexpected body on ${path}`);
      }
      return body.items;
    },

    async reserve(request, requestId) {
      const path = '/internal/stock/reservations';
      const response = await post(path, request, requestId);
      if (response.status === 200) return;
      if (response.status === 409) throw refusal(await json(response, path));
      throw unexpected(response, path);
    },

    async release(orderId, requestId) {
      const path = `/internal/stock/reservations/${encodeURIComponent(orderId)}/release`;
      const response = await post(path, {}, requestId);
      if (response.status !== 200) throw unexpected(response, path);
    },
  };
}

/** product-service names each short product as `items.<productId>`. */
function refusal(body: unknown): ReservationRefusedError {
  if (!Value.Check(ProblemErrors, body))
    return new ReservationRefusedError('insufficient-stock', []);
  const reason = body.type.endsWith('/product-unavailable')
    ? 'product-unavailable'
    : 'insufficient-stock';
  const shortages = (body.errors ?? [])
    .filter((e) => e.field.startsWith('items.'))
    .map((e) => ({ productId: e.field.slice('items.'.length), message: e.message }));
  return new ReservationRefusedError(reason, shortages);
}
