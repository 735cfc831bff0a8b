import type { Kysely } from 'kysely';
import type { OrderStatus, PageOf } from '@marketplace/contracts';
import { inTransaction, InvalidCursorError } from '@marketplace/db';
import { enqueueEvent } from '@marketplace/events';
import { AppError } from '@marketplace/service-kit';
import {
  findOrder,
  insertHistory,
  listHistory,
  listOrders,
  lockOrder,
  updateStatus,
  type ListFilter,
} from '../data/order.repository.ts';
import type { DB } from '../data/schema.ts';
import type { Actor, HistoryEntry, Order } from './order.model.ts';
import type { StockReleases } from './release.service.ts';
import { checkTransition, partiesOf } from './status-rules.ts';

export interface OrderServiceDeps {
  db: Kysely<DB>;
  releases: StockReleases;
  eventsCommitted: () => void;
}

export interface PageRequest {
  limit: number;
  cursor?: string | undefined;
}

export interface StatusChangeRequest {
  actor: Actor;
  orderId: string;
  to: OrderStatus;
  note: string | null;
  requestId: string;
}

export class OrderService {
  constructor(private readonly deps: OrderServiceDeps) {}

  /** Orders the caller bought, newest first. */
  listForBuyer(actor: Actor, page: PageRequest): Promise<PageOf<Order>> {
    return this.list({ buyerId: actor.userId }, page);
  }

  /** Orders placed with the calling seller, newest first. */
  listForSeller(actor: Actor, status: OrderStatus | undefined, page: PageRequest) {
    return this.list({ sellerId: actor.userId, ...(status ? { status } : {}) }, page);
  }

  async get(actor: Actor, orderId: string): Promise<Order> {
    const order = await findOrder(this.deps.db, orderId);
    // Someone else's order is answered exactly like a missing one.
    if (!order || partiesOf(actor, order).size === 0) throw orderNotFound();
    return order;
  }

  async history(actor: Actor, orderId: string): Promise<HistoryEntry[]> {
    await this.get(actor, orderId);
    return listHistory(this.deps.db, orderId);
  }

  async changeStatus(request: StatusChangeRequest): Promise<Order> {
    const { actor, orderId, to, note } = request;
    const order = await inTransaction(this.deps.db, async (trx) => {
      const current = await lockOrder(trx, orderId);
      if (!current) throw orderNotFound();
      const parties = partiesOf(actor, current);
      if (parties.size === 0) throw orderNotFound();
      assertTransition(current.status, to, checkTransition(current.status, to, parties));
      const at = new Date();
      // The row is locked, so this only fails if the lock were lost; never let two changes win.
      if (!(await updateStatus(trx, orderId, current.status, to, at))) {
        throw AppError.conflict('concurrent-change', 'The order changed meanwhile; reload it.');
      }
      await insertHistory(trx, [
        {
          orderId,
          from: current.status,
          to,
          note,
          actorId: actor.userId,
          actorRole: actor.role,
          at,
        },
      ]);
      await enqueueEvent(
        trx,
        'order.status_changed',
        {
          orderId,
          buyerId: current.buyerId,
          sellerId: current.sellerId,
          from: current.status,
          to,
          note,
        },
        request.requestId,
      );
      if (to === 'cancelled') await this.deps.releases.schedule(trx, [orderId], at);
      return { ...current, status: to, updatedAt: at.toISOString() };
    });
    this.deps.eventsCommitted();
    if (to === 'cancelled') await this.deps.releases.attempt([orderId], request.requestId);
    return order;
  }

  private async list(filter: ListFilter, page: PageRequest): Promise<PageOf<Order>> {
    try {
      return await listOrders(this.deps.db, filter, page.limit, page.cursor);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw invalidCursor();
      throw error;
    }
  }
}

function orderNotFound(): AppError {
  return AppError.notFound('order-not-found', 'No such order.');
}

function assertTransition(
  from: OrderStatus,
  to: OrderStatus,
  check: ReturnType<typeof checkTransition>,
): void {
  switch (check) {
    case 'allowed':
      return;
    case 'forbidden':
      throw AppError.forbidden('forbidden', `You may not move this order from ${from} to ${to}.`);
    case 'invalid':
      throw AppError.conflict('invalid-transition', `An order cannot go from ${from} to ${to}.`);
  }
}

function invalidCursor(): AppError {
  return AppError.badRequest('invalid-cursor', 'The cursor is invalid.', {
    errors: [{ field: 'querystring.cursor', message: 'is not a cursor this API gave out' }],
  });
}
