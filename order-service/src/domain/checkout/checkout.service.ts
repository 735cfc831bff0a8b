import type { Kysely } from 'kysely';
import type { CheckoutBody, CheckoutResult, Order, ReservationBody } from '@marketplace/contracts';
import { inTransaction, isDuplicateKey } from '@marketplace/db';
import type { Logger } from '@marketplace/events';
import {
  completeKey,
  deleteClaim,
  findKey,
  recordOrderIds,
} from '../../data/idempotency.repository.ts';
import { checkoutHasOrders, insertHistory, insertOrders } from '../../data/order.repository.ts';
import type { DB } from '../../data/schema.ts';
import { enqueueOrdersCreated } from '../../events/order.events.ts';
import { assertDistinctProducts, draftOrders, reservationRefused } from './checkout-lines.ts';
import { OrderErrors } from '../errors.ts';
import { fingerprint } from './checkout-fingerprint.ts';
import { claimKey, STALE_KEY_AFTER_MS, type OwnedKey } from './checkout-key.ts';
import type { Actor } from '../order.model.ts';
import {
  CatalogUnavailableError,
  ReservationRefusedError,
  type ProductCatalog,
} from '../product-catalog.port.ts';
import type { StockReleases } from '../release.service.ts';

export interface CheckoutRequest {
  buyer: Actor;
  idempotencyKey: string;
  body: CheckoutBody;
  requestId: string;
}

/** Always a 201: only completed checkouts are stored under a key, failures leave none behind. */
export interface CheckoutOutcome {
  body: CheckoutResult;
  replayed: boolean;
}

export interface CheckoutDeps {
  db: Kysely<DB>;
  catalog: ProductCatalog;
  releases: StockReleases;
  logger: Logger;
  /** Called after a commit that enqueued events (the outbox relay's nudge). */
  eventsCommitted: () => void;
  /** How long a key may stay in flight before another request may take it over. */
  staleKeyAfterMs?: number;
}

/** Another request took this key over while we worked; it will finish the same checkout. */
class LostClaimError extends Error {}

export class CheckoutService {
  constructor(private readonly deps: CheckoutDeps) {}

  /**
   * The checkout use case, in the order it happens:
   * 1. claim the Idempotency-Key, or answer a retry of a finished checkout from it;
   * 2. price the lines from the catalog, one order per seller, and record their ids on the key;
   * 3. reserve the stock of every order in product-service, all or nothing;
   * 4. commit the orders, their history, their `order.created` events (outbox) and the key's
   *    answer in one transaction;
   * 5. nudge the outbox relay, so the events leave now.
   * A step that fails gives back what the steps before it took (the compensations below).
   */
  async checkout(request: CheckoutRequest): Promise<CheckoutOutcome> {
    assertDistinctProducts(request.body.items);
    const claim = await claimKey(
      this.deps.db,
      {
        userId: request.buyer.userId,
        key: request.idempotencyKey,
        fingerprint: fingerprint(request.body),
      },
      this.deps.staleKeyAfterMs ?? STALE_KEY_AFTER_MS,
    );
    if (claim.kind === 'replay') {
      // Only this use case stores answers under a key, so a stored body is a CheckoutResult.
      return { body: claim.body as CheckoutResult, replayed: true };
    }
    const orders = await this.priceOrders(claim, request);
    await this.reserveStock(claim, orders, request);
    const result = await this.commit(claim, orders, request);
    this.deps.eventsCommitted();
    return { body: result, replayed: false };
  }

  /** Step 2: the orders, one per seller, priced from the catalog; their ids go on the key. */
  private async priceOrders(owner: OwnedKey, request: CheckoutRequest): Promise<Order[]> {
    try {
      const ids = request.body.items.map((i) => i.productId);
      const products = await this.deps.catalog.lookup(ids, request.requestId);
      const orders = draftOrders({
        checkoutId: owner.checkoutId,
        buyerId: request.buyer.userId,
        items: request.body.items,
        products,
        shippingAddress: request.body.shippingAddress,
        now: new Date(),
      });
      // Before reserving, so that whoever finds the key abandoned knows what to give back.
      if (!(await recordOrderIds(this.deps.db, owner, held(owner, orders))))
        throw new LostClaimError();
      return orders;
    } catch (error) {
      // Lost before we reserved anything: whoever took or swept the key answers for it.
      if (error instanceof LostClaimError) throw OrderErrors.idempotencyKeyInFlight();
      await this.forgetKey(owner, request.requestId, error);
      throw error instanceof CatalogUnavailableError ? OrderErrors.catalogUnavailable() : error;
    }
  }

  /** Step 3: the stock of every order, reserved in one call. */
  private async reserveStock(owner: OwnedKey, orders: Order[], request: CheckoutRequest) {
    const reservation: ReservationBody = {
      checkoutId: owner.checkoutId,
      orders: orders.map((o) => ({
        orderId: o.id,
        items: o.items.map(({ productId, quantity }) => ({ productId, quantity })),
      })),
    };
    try {
      await this.deps.catalog.reserve(reservation, request.requestId);
    } catch (error) {
      if (error instanceof ReservationRefusedError) {
        // All or nothing on product-service's side: this attempt holds nothing.
        await this.forgetKey(owner, request.requestId, error);
        throw reservationRefused(request.body.items, error);
      }
      // The reservation may or may not have happened: give back whatever it might hold.
      await this.abandon(owner, held(owner, orders), request.requestId, error);
      throw error instanceof CatalogUnavailableError ? OrderErrors.catalogUnavailable() : error;
    }
  }

  /** Step 4: everything the checkout leaves behind, in one transaction. */
  private async commit(
    owner: OwnedKey,
    orders: Order[],
    request: CheckoutRequest,
  ): Promise<CheckoutResult> {
    const result: CheckoutResult = { checkoutId: owner.checkoutId, orders };
    try {
      await inTransaction(this.deps.db, async (trx) => {
        await insertOrders(trx, orders);
        await insertHistory(
          trx,
          orders.map((o) => createdEntry(o, request.buyer)),
        );
        await enqueueOrdersCreated(trx, orders, request.requestId);
        if (!(await completeKey(trx, owner, { status: 201, body: result }))) {
          throw new LostClaimError();
        }
      });
    } catch (error) {
      if (isDuplicateKey(error)) throw OrderErrors.idempotencyKeyInFlight();
      if (error instanceof LostClaimError) {
        await this.settleLostClaim(owner, held(owner, orders), request.requestId);
        throw OrderErrors.idempotencyKeyInFlight();
      }
      await this.abandon(owner, held(owner, orders), request.requestId, error);
      throw error;
    }
    return result;
  }

  // Compensations: what a failed step gives back.

  /**
   * The request created nothing: drop its key so the client may retry with it. What earlier
   * owners of a taken-over key may have reserved is given back with it.
   */
  private async forgetKey(owner: OwnedKey, requestId: string, cause: unknown): Promise<void> {
    if (owner.heldOrderIds.length > 0) {
      await this.abandon(owner, owner.heldOrderIds, requestId, cause);
      return;
    }
    await deleteClaim(this.deps.db, owner).catch((error: unknown) =>
      this.deps.logger.warn({ err: error }, 'could not drop an idempotency key; it will go stale'),
    );
  }

  /**
   * Gives up a checkout whose stock may be reserved. The key is dropped and the releases recorded
   * together; if that fails, both stay as they are: a retry then takes the stale key over and
   * re-uses the same order ids, whose reservation product-service does not repeat, or, with no
   * retry, the sweep gives the stock back once the key counts as abandoned. Holding stock a
   * little longer is better than an order whose stock was given back.
   */
  private async abandon(owner: OwnedKey, orderIds: string[], requestId: string, cause: unknown) {
    const { db, logger, releases } = this.deps;
    logger.warn({ err: cause, checkoutId: owner.checkoutId, orderIds }, 'checkout abandoned');
    let owned: boolean;
    try {
      owned = await inTransaction(db, async (trx) => {
        if (!(await deleteClaim(trx, owner))) return false;
        await releases.schedule(trx, orderIds, new Date());
        return true;
      });
    } catch (error) {
      logger.error({ err: error, orderIds }, 'could not record releases; the key keeps them');
      return;
    }
    // A request that took the key over meanwhile goes on with these very orders.
    if (owned) await releases.attempt(orderIds, requestId);
  }

  /**
   * The key was lost just before the commit. While it still names this checkout, its owner goes
   * on with these very orders or gives them back. If not, the sweep dropped it while this request
   * stalled, and nobody can commit these orders any more: give back what they may hold.
   */
  private async settleLostClaim(owner: OwnedKey, orderIds: string[], requestId: string) {
    const { db, logger, releases } = this.deps;
    try {
      const orphaned = await inTransaction(db, async (trx) => {
        const row = await findKey(trx, owner.userId, owner.key);
        if (row?.checkout_id === owner.checkoutId) return false;
        if (await checkoutHasOrders(trx, owner.checkoutId)) return false;
        await releases.schedule(trx, orderIds, new Date());
        return true;
      });
      if (!orphaned) return;
      logger.warn({ checkoutId: owner.checkoutId, orderIds }, 'checkout lost its swept key');
      await releases.attempt(orderIds, requestId);
    } catch (error) {
      logger.error({ err: error, orderIds }, 'could not settle a checkout that lost its key');
    }
  }
}

/** The orders whose stock the owner may hold: its own and those of earlier owners of the key. */
function held(owner: OwnedKey, orders: Order[]): string[] {
  return [...new Set([...owner.heldOrderIds, ...orders.map((o) => o.id)])];
}

function createdEntry(order: Order, buyer: Actor) {
  return {
    orderId: order.id,
    from: null,
    to: order.status,
    note: null,
    actorId: buyer.userId,
    actorRole: buyer.role,
    at: new Date(order.createdAt),
  };
}
