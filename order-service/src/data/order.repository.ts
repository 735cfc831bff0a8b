import type { Kysely, Selectable } from 'kysely';
import type {
  HistoryEntry,
  Order,
  OrderItem,
  OrderStatus,
  Role,
  ShippingAddress,
} from '@marketplace/contracts';
import { paginate, type KeysetPage, type PageKey } from '@marketplace/db';
import type { DB, OrdersTable } from './schema.ts';

type OrderRow = Selectable<OrdersTable>;

export interface ListFilter {
  buyerId?: string;
  sellerId?: string;
  status?: OrderStatus;
}

export interface StatusChange {
  orderId: string;
  from: OrderStatus | null;
  to: OrderStatus;
  note: string | null;
  actorId: string;
  actorRole: Role;
  at: Date;
}

/** Inserts whole orders: the order rows, their items and each one's first history row. */
export async function insertOrders(db: Kysely<DB>, orders: Order[]): Promise<void> {
  if (orders.length === 0) return;
  await db
    .insertInto('orders')
    .values(
      orders.map((o) => ({
        id: o.id,
        checkout_id: o.checkoutId,
        buyer_id: o.buyerId,
        seller_id: o.sellerId,
        status: o.status,
        total_minor: o.totalMinor,
        currency: o.currency,
        shipping_address: JSON.stringify(o.shippingAddress),
        created_at: new Date(o.createdAt),
        updated_at: new Date(o.updatedAt),
      })),
    )
    .execute();
  await db
    .insertInto('order_items')
    .values(
      orders.flatMap((o) =>
        o.items.map((item, index) => ({
          order_id: o.id,
          line_no: index + 1,
          product_id: item.productId,
          title: item.title,
          price_minor: item.priceMinor,
          quantity: item.quantity,
        })),
      ),
    )
    .execute();
}

export async function insertHistory(db: Kysely<DB>, changes: StatusChange[]): Promise<void> {
  if (changes.length === 0) return;
  await db
    .insertInto('order_status_history')
    .values(
      changes.map((c) => ({
        order_id: c.orderId,
        from_status: c.from,
        to_status: c.to,
        note: c.note,
        actor_id: c.actorId,
        actor_role: c.actorRole,
        at: c.at,
      })),
    )
    .execute();
}

export async function findOrder(db: Kysely<DB>, id: string): Promise<Order | null> {
  const row = await db.selectFrom('orders').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const [order] = await withItems(db, [row]);
  return order ?? null;
}

/** Whether any order was committed under the checkout (they are committed all at once). */
export async function checkoutHasOrders(db: Kysely<DB>, checkoutId: string): Promise<boolean> {
  const row = await db
    .selectFrom('orders')
    .select('id')
    .where('checkout_id', '=', checkoutId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The order's row, locked until the transaction ends, so status changes queue up one by one. */
export async function lockOrder(db: Kysely<DB>, id: string): Promise<Order | null> {
  const row = await db
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return null;
  const [order] = await withItems(db, [row]);
  return order ?? null;
}

/** Moves the status only if it is still `from`; false when someone else changed it first. */
export async function updateStatus(
  db: Kysely<DB>,
  id: string,
  from: OrderStatus,
  to: OrderStatus,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('orders')
    .set({ status: to, updated_at: at })
    .where('id', '=', id)
    .where('status', '=', from)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

const NEWEST_FIRST: readonly PageKey<DB, 'orders', OrderRow>[] = [
  { column: 'created_at', direction: 'desc', type: 'date' },
  { column: 'id', direction: 'desc', type: 'string' },
];

/** Newest first, keyset on (created_at, id); throws InvalidCursorError for a bad cursor. */
export async function listOrders(
  db: Kysely<DB>,
  filter: ListFilter,
  limit: number,
  cursor: string | undefined,
): Promise<KeysetPage<Order>> {
  let query = db.selectFrom('orders').selectAll();
  if (filter.buyerId !== undefined) query = query.where('buyer_id', '=', filter.buyerId);
  if (filter.sellerId !== undefined) query = query.where('seller_id', '=', filter.sellerId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  const page = await paginate(query, { keys: NEWEST_FIRST, limit, cursor });
  return { ...page, items: await withItems(db, page.items) };
}

/** The seller's orders grouped by status and currency: how many, and their total. */
export async function sellerTotals(
  db: Kysely<DB>,
  sellerId: string,
): Promise<{ status: OrderStatus; currency: string; orders: number; totalMinor: number }[]> {
  // The key orders_seller_status_page (seller_id, status, …) serves the grouping.
  const rows = await db
    .selectFrom('orders')
    .select((eb) => [
      'status',
      'currency',
      eb.fn.countAll<number | string>().as('orders'),
      eb.fn.sum<number | string>('total_minor').as('total'),
    ])
    .where('seller_id', '=', sellerId)
    .groupBy(['status', 'currency'])
    .execute();
  return rows.map((row) => ({
    status: row.status as OrderStatus,
    currency: row.currency,
    orders: Number(row.orders),
    totalMinor: Number(row.total),
  }));
}

export async function listHistory(db: Kysely<DB>, orderId: string): Promise<HistoryEntry[]> {
  const rows = await db
    .selectFrom('order_status_history')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    from: r.from_status as OrderStatus | null,
    to: r.to_status as OrderStatus,
    note: r.note,
    actorId: r.actor_id,
    actorRole: r.actor_role as Role,
    at: r.at.toISOString(),
  }));
}

async function withItems(db: Kysely<DB>, rows: OrderRow[]): Promise<Order[]> {
  if (rows.length === 0) return [];
  const items = await db
    .selectFrom('order_items')
    .selectAll()
    .where(
      'order_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('order_id')
    .orderBy('line_no')
    .execute();
  const byOrder = new Map<string, OrderItem[]>();
  for (const item of items) {
    const list = byOrder.get(item.order_id) ?? [];
    list.push({
      productId: item.product_id,
      title: item.title,
      priceMinor: Number(item.price_minor),
      quantity: Number(item.quantity),
    });
    byOrder.set(item.order_id, list);
  }
  return rows.map((row) => toOrder(row, byOrder.get(row.id) ?? []));
}

function toOrder(row: OrderRow, items: OrderItem[]): Order {
  return {
    id: row.id,
    checkoutId: row.checkout_id,
    buyerId: row.buyer_id,
    sellerId: row.seller_id,
    status: row.status as OrderStatus,
    items,
    totalMinor: Number(row.total_minor),
    currency: row.currency,
    shippingAddress: JSON.parse(row.shipping_address) as ShippingAddress,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
