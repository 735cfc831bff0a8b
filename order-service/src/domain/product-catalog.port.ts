import type { CatalogProduct, ReservationBody } from '@marketplace/contracts';

/** The catalog as checkout sees it: prices products, holds their stock, gives it back. */
export interface ProductCatalog {
  /** The products among `ids` that exist; unknown ids are absent. */
  lookup(ids: string[], requestId: string): Promise<CatalogProduct[]>;
  /** All or nothing, idempotent per order id; throws ReservationRefusedError when refused. */
  reserve(reservation: ReservationBody, requestId: string): Promise<void>;
  /** Idempotent: a second release, or one of an order never reserved, changes nothing. */
  release(orderId: string, requestId: string | null): Promise<void>;
}

/** The catalog could not be reached, timed out, or answered something it should not. */
export class CatalogUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CatalogUnavailableError';
  }
}

/** A product the reservation could not hold, with the catalog's reason in words. */
export interface Shortage {
  productId: string;
  message: string;
}

export type RefusalReason = 'insufficient-stock' | 'product-unavailable';

/**
 * The catalog refused the whole reservation (nothing is held): too little stock, or a product
 * archived since the lookup.
 */
export class ReservationRefusedError extends Error {
  constructor(
    readonly reason: RefusalReason,
    readonly shortages: Shortage[],
  ) {
    super(`reservation refused: ${reason}`);
    this.name = 'ReservationRefusedError';
  }
}
