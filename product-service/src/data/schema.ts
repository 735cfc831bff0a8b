import type { Generated } from 'kysely';
import type { ProductStatus } from '@marketplace/contracts';

/** The Kysely view of the `marketplace_products` schema (see migrations/index.ts). */
export interface CategoriesTable {
  id: string;
  parent_id: string | null;
  slug: string;
  name: string;
  position: number;
}

export interface ProductsTable {
  id: string;
  seller_id: string;
  /** Denormalised from the seller's access token; '' when not known yet. */
  seller_name: string;
  category_id: string;
  title: string;
  description: string;
  price_minor: number;
  currency: string;
  stock: number;
  /** A JSON array of URLs, kept as TEXT so MySQL 8 and MariaDB read it alike. */
  images: string;
  /** A JSON object of attribute names to values. */
  attributes: string;
  status: ProductStatus;
  /** Counts every change of the row: orders index updates, and is the product's ETag. */
  version: Generated<number>;
  created_at: Date;
  updated_at: Date;
}

export interface StockReservationsTable {
  order_id: string;
  checkout_id: string;
  status: 'reserved' | 'released';
  created_at: Date;
  released_at: Date | null;
}

export interface StockReservationItemsTable {
  order_id: string;
  product_id: string;
  quantity: number;
}

/** Seller names as user-service last announced them (user.updated), newest event winning. */
export interface SellersTable {
  seller_id: string;
  name: string;
  /** `occurredAt` of the event the name came from. */
  renamed_at: Date;
  /** When user.registered said the account was made; null when only later events were seen. */
  registered_at: Date | null;
}

/** One attribute of a product, for `attr.<name>=` filters. */
export interface DB {
  categories: CategoriesTable;
  sellers: SellersTable;
  products: ProductsTable;
  stock_reservations: StockReservationsTable;
  stock_reservation_items: StockReservationItemsTable;
}
