import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import {
  ProblemSchema,
  ProductLookupResponseSchema,
  ReleaseResponseSchema,
  ReservationResponseSchema,
  type Problem,
  type ProductLookupBody,
} from '@marketplace/contracts';
import {
  CatalogUnavailableError,
  ReservationRefusedError,
  type ProductCatalog,
} from '../domain/product-catalog.port.ts';

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

  /** The answer's body if it has the contract's shape; anything else means the call failed. */
  async function read<T extends TSchema>(schema: T, response: Response, path: string) {
    let body: unknown;
    try {
      body = await response.json();
    } catch (error) {
      throw new CatalogUnavailableError(`product-service sent no JSON on ${path}`, {
        cause: error,
      });
    }
    if (!Value.Check(schema, body)) {
      throw new CatalogUnavailableError(
        `product-service sent an unexpected ${response.status} body on ${path}`,
      );
    }
    return body;
  }

  function unexpected(response: Response, path: string): CatalogUnavailableError {
    return new CatalogUnavailableError(`product-service answered ${response.status} on ${path}`);
  }

  return {
    async lookup(ids, requestId) {
      const path = '/internal/products/lookup';
      const body: ProductLookupBody = { ids };
      const response = await post(path, body, requestId);
      if (response.status !== 200) throw unexpected(response, path);
      return (await read(ProductLookupResponseSchema, response, path)).items;
    },

    async reserve(reservation, requestId) {
      const path = '/internal/stock/reservations';
      const response = await post(path, reservation, requestId);
      if (response.status === 200) {
        await read(ReservationResponseSchema, response, path);
        return;
      }
      if (response.status !== 409) throw unexpected(response, path);
      throw refusal(await read(ProblemSchema, response, path), path);
    },

    async release(orderId, requestId) {
      const path = `/internal/stock/reservations/${encodeURIComponent(orderId)}/release`;
      const response = await post(path, {}, requestId);
      if (response.status !== 200) throw unexpected(response, path);
      await read(ReleaseResponseSchema, response, path);
    },
  };
}

/**
 * A 409 refuses the whole reservation; its `code` says why, and product-service names each
 * product at fault as `items.<productId>`. A code not in the contract is not a refusal we can
 * explain, so the outcome counts as unknown.
 */
function refusal(problem: Problem, path: string): Error {
  switch (problem.code) {
    case 'insufficient-stock':
    case 'product-unavailable': {
      const shortages = (problem.errors ?? [])
        .filter((e) => e.field.startsWith('items.'))
        .map((e) => ({ productId: e.field.slice('items.'.length), message: e.message }));
      return new ReservationRefusedError(problem.code, shortages);
    }
    default:
      return new CatalogUnavailableError(
        `product-service refused with an unknown code ${problem.code} on ${path}`,
      );
  }
}
