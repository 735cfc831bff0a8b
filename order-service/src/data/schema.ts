import type { Generated } from 'kysely';

export interface OrdersTable {
  id: string;
  checkout_id: string;
  buyer_id: string;
  seller_id: string;
  status: string;
  total_minor: number;
  currency: string;
  /** JSON text of the shipping address. */
  shipping_address: string;
  created_at: Date;
  updated_at: Date;
}

export interface OrderItemsTable {
  order_id: string;
  line_no: number;
  product_id: string;
  title: string;
  price_minor: number;
  quantity: number;
}

export interface OrderStatusHistoryTable {
  id: Generated<number>;
  order_id: string;
  from_status: string | null;
  to_status: string;
  note: string | null;
  actor_id: string;
  actor_role: string;
  at: Date;
}

export interface IdempotencyKeysTable {
  user_id: string;
  idem_key: string;
  fingerprint: string;
  checkout_id: string;
  /** JSON array of the order ids whose stock this checkout may hold; null before it reserves. */
  order_ids: string | null;
  lock_id: string;
  status: 'in_flight' | 'completed';
  response_status: number | null;
  response_body: string | null;
  locked_at: Date;
  created_at: Date;
}

export interface PendingReleasesTable {
  order_id: string;
  attempts: Generated<number>;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
}

export interface DB {
  orders: OrdersTable;
  order_items: OrderItemsTable;
  order_status_history: OrderStatusHistoryTable;
  idempotency_keys: IdempotencyKeysTable;
  pending_releases: PendingReleasesTable;
}
