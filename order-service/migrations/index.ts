import { sqlMigration, type Migrations } from '@marketplace/db';
import { outboxLeaseMigration, outboxMigration } from '@marketplace/events';

const init = sqlMigration({
  up: [
    `
      CREATE TABLE orders (
        id CHAR(36) NOT NULL PRIMARY KEY,
        checkout_id CHAR(36) NOT NULL,
        buyer_id CHAR(36) NOT NULL,
        seller_id CHAR(36) NOT NULL,
        status VARCHAR(16) NOT NULL,
        total_minor BIGINT UNSIGNED NOT NULL,
        currency CHAR(3) NOT NULL,
        shipping_address TEXT NOT NULL,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        KEY orders_checkout (checkout_id),
        KEY orders_buyer_page (buyer_id, created_at, id),
        KEY orders_seller_page (seller_id, created_at, id),
        KEY orders_seller_status_page (seller_id, status, created_at, id)
      ) ENGINE=InnoDB`,
    `
      CREATE TABLE order_items (
        order_id CHAR(36) NOT NULL,
        line_no SMALLINT UNSIGNED NOT NULL,
        product_id CHAR(36) NOT NULL,
        title VARCHAR(500) NOT NULL,
        price_minor BIGINT UNSIGNED NOT NULL,
        quantity INT UNSIGNED NOT NULL,
        PRIMARY KEY (order_id, line_no),
        CONSTRAINT order_items_order FOREIGN KEY (order_id) REFERENCES orders (id)
      ) ENGINE=InnoDB`,
    `
      CREATE TABLE order_status_history (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        order_id CHAR(36) NOT NULL,
        from_status VARCHAR(16) NULL,
        to_status VARCHAR(16) NOT NULL,
        note VARCHAR(500) NULL,
        actor_id CHAR(36) NOT NULL,
        actor_role VARCHAR(16) NOT NULL,
        at DATETIME(3) NOT NULL,
        KEY order_history_order (order_id, id),
        CONSTRAINT order_history_order FOREIGN KEY (order_id) REFERENCES orders (id)
      ) ENGINE=InnoDB`,
  ],
  down: [`DROP TABLE order_status_history`, `DROP TABLE order_items`, `DROP TABLE orders`],
});

const idempotency = sqlMigration({
  // Keys are scoped to the caller: two buyers may pick the same key without meeting.
  up: [
    `
      CREATE TABLE idempotency_keys (
        user_id CHAR(36) NOT NULL,
        idem_key VARCHAR(255) NOT NULL,
        fingerprint CHAR(64) NOT NULL,
        checkout_id CHAR(36) NOT NULL,
        lock_id CHAR(36) NOT NULL,
        status VARCHAR(16) NOT NULL,
        response_status SMALLINT UNSIGNED NULL,
        response_body MEDIUMTEXT NULL,
        locked_at DATETIME(3) NOT NULL,
        created_at DATETIME(3) NOT NULL,
        PRIMARY KEY (user_id, idem_key)
      ) ENGINE=InnoDB`,
  ],
  down: [`DROP TABLE idempotency_keys`],
});

const pendingReleases = sqlMigration({
  // Stock releases product-service has not confirmed yet; retried until it does.
  up: [
    `
      CREATE TABLE pending_releases (
        order_id CHAR(36) NOT NULL PRIMARY KEY,
        attempts INT UNSIGNED NOT NULL DEFAULT 0,
        next_attempt_at DATETIME(3) NOT NULL,
        last_error VARCHAR(500) NULL,
        created_at DATETIME(3) NOT NULL,
        KEY pending_releases_due (next_attempt_at)
      ) ENGINE=InnoDB`,
  ],
  down: [`DROP TABLE pending_releases`],
});

const idempotencySweep = sqlMigration({
  // order_ids: the orders whose stock an in-flight checkout may hold (JSON array), written
  // before it reserves, so a sweep can give back what a dead checkout left. The index serves
  // both sweeps: completed keys past their TTL and in-flight keys long abandoned.
  up: [
    `
      ALTER TABLE idempotency_keys
        ADD COLUMN order_ids TEXT NULL AFTER checkout_id,
        ADD KEY idempotency_keys_age (status, locked_at)`,
  ],
  down: [`ALTER TABLE idempotency_keys DROP KEY idempotency_keys_age, DROP COLUMN order_ids`],
});

const exactKeys = sqlMigration({
  // The default collation compared keys case- and accent-insensitively, so "Order-1" replayed
  // "order-1". utf8mb4_bin compares code points (the same on MySQL 8 and MariaDB); it ignores
  // trailing spaces, which HTTP strips from header values anyway. No two stored keys can collide
  // under it that did not already collide under the old one, so the change cannot fail.
  up: [
    `ALTER TABLE idempotency_keys
      MODIFY idem_key VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL`,
  ],
  // Back to the table's default collation, which is what 0003 made it with.
  down: [`ALTER TABLE idempotency_keys MODIFY idem_key VARCHAR(255) NOT NULL`],
});

export const migrations: Migrations = {
  '0001_orders': init,
  '0002_outbox': outboxMigration,
  '0003_idempotency_keys': idempotency,
  '0004_pending_releases': pendingReleases,
  '0005_idempotency_sweep': idempotencySweep,
  '0006_exact_idempotency_keys': exactKeys,
  // One relay publishes at a time (libs/events relay.ts).
  '0007_outbox_lease': outboxLeaseMigration,
};
