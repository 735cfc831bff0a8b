import { sqlMigration, type Migrations } from '@marketplace/db';
import { processedEventsMigration } from '@marketplace/events';

// Ids are ASCII with binary collation: compact keys and a byte order that is the same in SQL and JS.
const ID = 'CHAR(36) CHARACTER SET ascii COLLATE ascii_bin';
const KEY = 'VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin';
const TABLE_OPTIONS = 'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci';

const categories = `
CREATE TABLE categories (
  id ${ID} NOT NULL,
  parent_id ${ID} NULL,
  slug VARCHAR(100) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name VARCHAR(100) NOT NULL,
  position INT NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE KEY uq_categories_slug (slug),
  KEY ix_categories_parent (parent_id, position),
  CONSTRAINT fk_categories_parent FOREIGN KEY (parent_id) REFERENCES categories (id)
) ${TABLE_OPTIONS}`;

// stock is UNSIGNED as a backstop: a decrement below zero fails instead of storing a negative.
const products = `
CREATE TABLE products (
  id ${ID} NOT NULL,
  seller_id ${ID} NOT NULL,
  category_id ${ID} NOT NULL,
  title VARCHAR(200) NOT NULL,
  description TEXT NOT NULL,
  price_minor INT UNSIGNED NOT NULL,
  currency CHAR(3) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  stock INT UNSIGNED NOT NULL,
  images TEXT NOT NULL,
  status ENUM('active', 'archived') NOT NULL DEFAULT 'active',
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (id),
  KEY ix_products_newest (status, created_at, id),
  KEY ix_products_price (status, price_minor, id),
  KEY ix_products_seller (seller_id, status, created_at, id),
  KEY ix_products_category (category_id, status, created_at, id),
  FULLTEXT KEY ft_products_text (title, description),
  CONSTRAINT fk_products_category FOREIGN KEY (category_id) REFERENCES categories (id)
) ${TABLE_OPTIONS}`;

const reservations = `
CREATE TABLE stock_reservations (
  order_id ${KEY} NOT NULL,
  checkout_id ${KEY} NOT NULL,
  status ENUM('reserved', 'released') NOT NULL,
  created_at DATETIME(3) NOT NULL,
  released_at DATETIME(3) NULL,
  PRIMARY KEY (order_id),
  KEY ix_stock_reservations_checkout (checkout_id)
) ${TABLE_OPTIONS}`;

const reservationItems = `
CREATE TABLE stock_reservation_items (
  order_id ${KEY} NOT NULL,
  product_id ${ID} NOT NULL,
  quantity INT UNSIGNED NOT NULL,
  PRIMARY KEY (order_id, product_id),
  CONSTRAINT fk_stock_reservation_items_order
    FOREIGN KEY (order_id) REFERENCES stock_reservations (order_id) ON DELETE CASCADE
) ${TABLE_OPTIONS}`;

// Without stopwords indexed, a search for "the north face" would require a word never stored.
// Adding a column rebuilds a table that has a FULLTEXT index (no instant ADD COLUMN then, on
// MySQL 8 or MariaDB), and a rebuilt index takes the session's stopword setting: keep it off, as
// when the index was first built.
const FULLTEXT_SESSION = { innodb_ft_enable_stopword: 'OFF' };

export const migrations: Migrations = {
  '0001_catalog': sqlMigration({
    up: [categories, products],
    down: ['DROP TABLE products', 'DROP TABLE categories'],
    session: FULLTEXT_SESSION,
  }),
  '0002_stock_reservations': sqlMigration({
    up: [reservations, reservationItems],
    down: ['DROP TABLE stock_reservation_items', 'DROP TABLE stock_reservations'],
  }),
  // The seller's display name, copied from their access token: listings show it without a call
  // to user-service. '' until the seller next lists or edits (the demo seed fills its own).
  '0003_seller_name': sqlMigration({
    up: [
      "ALTER TABLE products ADD COLUMN seller_name VARCHAR(120) NOT NULL DEFAULT '' AFTER seller_id",
    ],
    down: ['ALTER TABLE products DROP COLUMN seller_name'],
    session: FULLTEXT_SESSION,
  }),
  // The consumer's dedupe of user.updated (seller renames).
  '0004_processed_events': processedEventsMigration,
  // The names user.updated announced: a listing made with a token issued before a rename takes
  // this name, not the token's stale one; events applied out of order never undo a newer one.
  '0005_sellers': sqlMigration({
    up: [
      `CREATE TABLE sellers (
        seller_id ${ID} NOT NULL,
        name VARCHAR(120) NOT NULL,
        renamed_at DATETIME(3) NOT NULL,
        PRIMARY KEY (seller_id)
      ) ${TABLE_OPTIONS}`,
    ],
    down: ['DROP TABLE sellers'],
  }),
};
