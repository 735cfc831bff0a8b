import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CatalogUnavailableError,
  ReservationRefusedError,
} from '../domain/product-catalog.port.ts';
import { createProductClient } from './product.client.ts';

const product = {
  id: '0b5e7c6a-1111-4222-8333-444455556666',
  sellerId: 's',
  title: 'T',
  priceMinor: 250,
  currency: 'EUR',
  stock: 3,
  status: 'active',
};
const reservation = {
  checkoutId: 'c',
  orders: [{ orderId: 'o', items: [{ productId: product.id, quantity: 1 }] }],
};

/** Every call to product-service answers `status` with `body`; the requests are kept. */
function answer(status: number, body: unknown) {
  const fetch = vi.fn(async (_url: string, _init: RequestInit) => Response.json(body, { status }));
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

function problem(code: string, errors: { field: string; message: string }[] = []) {
  // `type` deliberately says nothing: the client reads the code.
  return { type: 'about:blank', title: 'Conflict', status: 409, code, errors };
}

const client = () =>
  createProductClient({ baseUrl: 'http://catalog/', internalToken: 'secret', timeoutMs: 1000 });

async function failure(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('product client', () => {
  it('when products are looked up, then the internal token and request id go along and the items come back', async () => {
    const fetch = answer(200, { items: [product] });

    expect(await client().lookup([product.id], 'req-1')).toEqual([product]);
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe('http://catalog/internal/products/lookup');
    expect(init?.headers).toMatchObject({ 'x-internal-token': 'secret', 'x-request-id': 'req-1' });
    expect(JSON.parse(init?.body as string)).toEqual({ ids: [product.id] });
  });

  it('when the lookup answer is not the contract shape, then the catalog counts as unavailable', async () => {
    answer(200, { items: [{ ...product, status: 'sold-out' }] });
    expect(await failure(client().lookup([product.id], 'r'))).toBeInstanceOf(
      CatalogUnavailableError,
    );
  });

  it('when product-service cannot be reached, then the catalog counts as unavailable', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('fetch failed');
      }),
    );
    expect(await failure(client().reserve(reservation, 'r'))).toBeInstanceOf(
      CatalogUnavailableError,
    );
  });

  it('when the reservation is confirmed, then reserve resolves', async () => {
    answer(200, { reserved: true });
    await expect(client().reserve(reservation, 'r')).resolves.toBeUndefined();
  });

  it('when the reservation is refused for stock, then the refusal names each short product', async () => {
    answer(
      409,
      problem('insufficient-stock', [{ field: `items.${product.id}`, message: 'only 1' }]),
    );

    const error = await failure(client().reserve(reservation, 'r'));

    expect(error).toBeInstanceOf(ReservationRefusedError);
    expect(error).toMatchObject({
      reason: 'insufficient-stock',
      shortages: [{ productId: product.id, message: 'only 1' }],
    });
  });

  it('when the reservation is refused for a product no longer sold, then that is the reason', async () => {
    answer(
      409,
      problem('product-unavailable', [{ field: `items.${product.id}`, message: 'gone' }]),
    );
    expect(await failure(client().reserve(reservation, 'r'))).toMatchObject({
      reason: 'product-unavailable',
    });
  });

  it('when a 409 carries an unknown code or is no problem at all, then the outcome counts as unknown', async () => {
    answer(409, problem('something-new'));
    expect(await failure(client().reserve(reservation, 'r'))).toBeInstanceOf(
      CatalogUnavailableError,
    );
    answer(409, { reserved: false });
    expect(await failure(client().reserve(reservation, 'r'))).toBeInstanceOf(
      CatalogUnavailableError,
    );
  });

  it('when a release is answered, then nothing held is fine; a failure is an error to retry', async () => {
    const fetch = answer(200, { released: false });
    await expect(client().release('o/1', null)).resolves.toBeUndefined();
    expect(fetch.mock.calls[0]?.[0]).toBe(
      'http://catalog/internal/stock/reservations/o%2F1/release',
    );
    expect(fetch.mock.calls[0]?.[1].headers).not.toHaveProperty('x-request-id');

    answer(500, problem('internal-error'));
    expect(await failure(client().release('o', null))).toBeInstanceOf(CatalogUnavailableError);
  });
});
