import type { Kysely, Transaction } from 'kysely';
import { inTransaction } from '@marketplace/db';
import type { OrderReservation, Shortage } from '../domain/stock.model.ts';
import { announceProducts } from './product.repository.ts';
import type { DB } from './schema.ts';

/** Thrown inside the transaction to roll it back; never leaves this module. */
class ShortageSignal extends Error {
  constructor(readonly shortages: Shortage[]) {
    super('insufficient stock');
  }
}

type Trx = Transaction<DB>;

function totalsByProduct(orders: readonly OrderReservation[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const order of orders) {
    for (const line of order.items) {
      totals.set(line.productId, (totals.get(line.productId) ?? 0) + line.quantity);
    }
  }
  // Ascending product id: every transaction locks rows in the same order, so none deadlock.
  return new Map([...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Reserves every order not reserved before, all or nothing; returns the shortages that
 * stopped it (nothing changed then), or an empty list.
 */
export async function reserveStock(
  db: Kysely<DB>,
  checkoutId: string,
  orders: readonly OrderReservation[],
  correlationId: string | null,
): Promise<Shortage[]> {
  try {
    await inTransaction(db, async (trx) => {
      const now = new Date();
      const fresh = await claimOrders(trx, checkoutId, orders, now);
      const totals = totalsByProduct(fresh);
      const failed: string[] = [];
      for (const [productId, quantity] of totals) {
        if (!(await take(trx, productId, quantity, now))) failed.push(productId);
      }
      if (failed.length > 0) throw new ShortageSignal(await explain(trx, failed, totals));
      const items = fresh.flatMap((order) =>
        order.items.map((line) => ({
          order_id: order.orderId,
          product_id: line.productId,
          quantity: line.quantity,
        })),
      );
      if (items.length > 0) await trx.insertInto('stock_reservation_items').values(items).execute();
      await announceProducts(trx, [...totals.keys()], correlationId);
    });
    return [];
  } catch (error) {
    if (error instanceof ShortageSignal) return error.shortages;
    throw error;
  }
}

/**
 * Puts a reserved order's stock back once; returns the products whose stock came back (none when
 * there was nothing, or nothing more, to release).
 */
export async function releaseStock(
  db: Kysely<DB>,
  orderId: string,
  correlationId: string | null,
): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const reservation = await trx
      .selectFrom('stock_reservations')
      .select('status')
      .where('order_id', '=', orderId)
      .forUpdate()
      .executeTakeFirst();
    const now = new Date();
    if (!reservation) {
      await leaveTombstone(trx, orderId, now);
      return [];
    }
    if (reservation.status !== 'reserved') return [];
    const productIds = await putBack(trx, orderId, now);
    await announceProducts(trx, productIds, correlationId);
    await trx
      .updateTable('stock_reservations')
      .set({ status: 'released', released_at: now })
      .where('order_id', '=', orderId)
      .execute();
    return productIds;
  });
}

/**
 * A release can overtake its reservation (the reserve call timed out on the caller's side but
 * still commits here). The tombstone makes that late reserve a no-op instead of stock held
 * forever: a known order id is never reserved again.
 */
async function leaveTombstone(trx: Trx, orderId: string, now: Date): Promise<void> {
  await trx
    .insertInto('stock_reservations')
    .ignore()
    .values({
      order_id: orderId,
      checkout_id: '',
      status: 'released',
      created_at: now,
      released_at: now,
    })
    .execute();
}

/** Adds an order's reserved quantities back to its products' stock; returns those products. */
async function putBack(trx: Trx, orderId: string, now: Date): Promise<string[]> {
  const items = await trx
    .selectFrom('stock_reservation_items')
    .select(['product_id', 'quantity'])
    .where('order_id', '=', orderId)
    .orderBy('product_id')
    .execute();
  for (const item of items) {
    await trx
      .updateTable('products')
      .set((eb) => ({
        stock: eb('stock', '+', item.quantity),
        version: eb('version', '+', 1),
        updated_at: now,
      }))
      .where('id', '=', item.product_id)
      .execute();
  }
  return items.map((item) => item.product_id);
}

/** Records the orders; those already recorded (reserved before) are left out of the result. */
async function claimOrders(
  trx: Trx,
  checkoutId: string,
  orders: readonly OrderReservation[],
  now: Date,
): Promise<OrderReservation[]> {
  const fresh: OrderReservation[] = [];
  for (const order of orders) {
    const result = await trx
      .insertInto('stock_reservations')
      .ignore()
      .values({
        order_id: order.orderId,
        checkout_id: checkoutId,
        status: 'reserved',
        created_at: now,
      })
      .executeTakeFirst();
    if (result.numInsertedOrUpdatedRows === 1n) fresh.push(order);
  }
  return fresh;
}

/** The conditional decrement: it cannot drive stock below zero nor touch an archived product. */
async function take(trx: Trx, productId: string, quantity: number, now: Date): Promise<boolean> {
  const result = await trx
    .updateTable('products')
    .set((eb) => ({
      stock: eb('stock', '-', quantity),
      version: eb('version', '+', 1),
      updated_at: now,
    }))
    .where('id', '=', productId)
    .where('stock', '>=', quantity)
    .where('status', '=', 'active')
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

async function explain(
  trx: Trx,
  productIds: string[],
  totals: ReadonlyMap<string, number>,
): Promise<Shortage[]> {
  const rows = await trx
    .selectFrom('products')
    .select(['id', 'stock', 'status'])
    .where('id', 'in', productIds)
    .execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  return productIds.map((productId) => {
    const row = byId.get(productId);
    const requested = totals.get(productId) ?? 0;
    if (!row) return { productId, reason: 'unknown', requested, available: 0 };
    if (row.status !== 'active') return { productId, reason: 'archived', requested, available: 0 };
    return { productId, reason: 'insufficient', requested, available: row.stock };
  });
}
