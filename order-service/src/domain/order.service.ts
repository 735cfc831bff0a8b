import type { Kysely } from 'kysely';
import type {
  HistoryEntry,
  Order,
  OrderPage,
  OrderStatus,
  PageQuery,
  SellerSummary,
} from '@marketplace/contracts';
import { inTransaction, InvalidCursorError } from '@marketplace/db';
import {
  findOrder,
  insertHistory,
  listHistory,
  listOrders,
  lockOrder,
  sellerTotals,
  updateStatus,
  type ListFilter,
} from '../data/order.repository.ts';
import type { DB } from '../data/schema.ts';
import { enqueueStatusChanged } from '../events/order.events.ts';
import { OrderErrors } from './errors.ts';
import type { Actor } from './order.model.ts';
import type { StockReleases } from './release.service.ts';
import { checkTransition, partiesOf } from './status-rules.ts';

export interface OrderServiceDeps {
  db: Kysely<DB>;
  releases: StockReleases;
  eventsCommitted: () => void;
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
  listForBuyer(actor: Actor, page: PageQuery): Promise<OrderPage> {
    return this.list({ buyerId: actor.userId }, page);
  }

  /** Orders placed with the calling seller, newest first. */
  listForSeller(actor: Actor, status: OrderStatus | undefined, page: PageQuery) {
    return this.list({ sellerId: actor.userId, ...(status ? { status } : {}) }, page);
  }

  /** Counts per status and revenue per currency (delivered, and open) of the calling seller. */
  async summaryForSeller(actor: Actor): Promise<SellerSummary> {
    const counts: SellerSummary['counts'] = {
      created: 0,
      confirmed: 0,
      shipped: 0,
      delivered: 0,
      cancelled: 0,
    };
    const revenue = new Map<string, SellerSummary['revenue'][number]>();
    for (const row of await sellerTotals(this.deps.db, actor.userId)) {
      counts[row.status] += row.orders;
      if (row.status === 'cancelled') continue;
      let entry = revenue.get(row.currency);
      if (!entry) {
        entry = { currency: row.currency, deliveredMinor: 0, openMinor: 0 };
        revenue.set(row.currency, entry);
      }
      if (row.status === 'delivered') entry.deliveredMinor += row.totalMinor;
      else entry.openMinor += row.totalMinor;
    }
    const currencies = [...revenue.values()].sort((a, b) => (a.currency < b.currency ? -1 : 1));
    return { counts, revenue: currencies };
  }

  async get(actor: Actor, orderId: string): Promise<Order> {
    const order = await findOrder(this.deps.db, orderId);
    // Someone else's order is answered exactly like a missing one.
    if (!order || partiesOf(actor, order).size === 0) throw OrderErrors.orderNotFound();
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
      if (!current) throw OrderErrors.orderNotFound();
      const parties = partiesOf(actor, current);
      if (parties.size === 0) throw OrderErrors.orderNotFound();
      assertTransition(current.status, to, checkTransition(current.status, to, parties));
      const at = new Date();
      // The row is locked, so this only fails if the lock were lost; never let two changes win.
      if (!(await updateStatus(trx, orderId, current.status, to, at))) {
        throw OrderErrors.concurrentChange();
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
      await enqueueStatusChanged(
        trx,
        { order: current, from: current.status, to, note },
        request.requestId,
      );
      if (to === 'cancelled') await this.deps.releases.schedule(trx, [orderId], at);
      return { ...current, status: to, updatedAt: at.toISOString() };
    });
    this.deps.eventsCommitted();
    if (to === 'cancelled') await this.deps.releases.attempt([orderId], request.requestId);
    return order;
  }

  private async list(filter: ListFilter, page: PageQuery): Promise<OrderPage> {
    try {
      return await listOrders(this.deps.db, filter, page.limit, page.cursor);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw OrderErrors.invalidCursor();
      throw error;
    }
  }
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
      throw OrderErrors.transitionForbidden(from, to);
    case 'invalid':
      throw OrderErrors.invalidTransition(from, to);
  }
}
