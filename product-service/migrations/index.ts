import { sqlMigration, type Migrations } from '@marketplace/db';
import {
  outboxLeaseMigration,
  outboxMigration,
  processedEventsMigration,
  deadLettersMigration,
} from '@marketplace/events';

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

/** 0006 made it, 0008 drops it (and its down makes it again). */
const PRODUCT_ATTRIBUTES = `CREATE TABLE product_attributes (
    product_id ${ID} NOT NULL,
    name VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    value VARCHAR(64) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
    PRIMARY KEY (product_id, name),
    KEY ix_product_attributes_value (name, value, product_id),
    CONSTRAINT fk_product_attributes_product FOREIGN KEY (product_id) REFERENCES products (id)
  ) ${TABLE_OPTIONS}`;

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
  // Search moves to each replica's in-process index (src/search): the FULLTEXT index is no longer
  // read, and maintaining it made every write (and a bulk load) several times slower.
  // Attributes: a JSON object for reads, and one row per pair for filtering. version counts every
  // change of a row (edits, stock moves, renames): it orders index updates and is the ETag.
  // updated_at is indexed for the index's catch-up scan. The *_price keys serve price sorts
  // within a seller or category (see docs/catalog.md for the key of each listing).
  '0006_catalog_scale': sqlMigration({
    up: [
      `ALTER TABLE products
        DROP INDEX ft_products_text,
        ADD COLUMN attributes VARCHAR(4000) NOT NULL DEFAULT '{}' AFTER images,
        ADD COLUMN version INT UNSIGNED NOT NULL DEFAULT 1 AFTER status,
        ADD KEY ix_products_updated (updated_at, id),
        ADD KEY ix_products_seller_price (seller_id, status, price_minor, id),
        ADD KEY ix_products_category_price (category_id, status, price_minor, id)`,
      PRODUCT_ATTRIBUTES,
      // A seller's public page says since when they sell: user.registered tells, else their
      // first listing.
      'ALTER TABLE sellers ADD COLUMN registered_at DATETIME(3) NULL',
    ],
    down: [
      'ALTER TABLE sellers DROP COLUMN registered_at',
      'DROP TABLE product_attributes',
      `ALTER TABLE products
        DROP KEY ix_products_category_price,
        DROP KEY ix_products_seller_price,
        DROP KEY ix_products_updated,
        DROP COLUMN version,
        DROP COLUMN attributes,
        ADD FULLTEXT KEY ft_products_text (title, description)`,
    ],
    session: FULLTEXT_SESSION,
  }),
  // product.updated events (price, stock, status) feed every replica's search index.
  '0007_outbox': outboxMigration,
  // Attribute filters are the search index's (docs/catalog.md): MySQL never read these rows, and
  // writing them made every product write and the bulk load slower.
  '0008_drop_product_attributes': sqlMigration({
    up: ['DROP TABLE product_attributes'],
    // Back empty: no code ever read it.
    down: [PRODUCT_ATTRIBUTES],
  }),
  // Parked events, and the index that lets old dedupe records be pruned (libs/events).
  '0009_dead_letters': deadLettersMigration,
  // One relay publishes at a time (libs/events relay.ts).
  '0010_outbox_lease': outboxLeaseMigration,
};
