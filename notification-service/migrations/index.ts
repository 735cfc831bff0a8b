import { sqlMigration, type Migrations } from '@marketplace/db';
import { processedEventsMigration, deadLettersMigration } from '@marketplace/events';

export const migrations: Migrations = {
  '0001_notifications': sqlMigration({
    // (user_id, created_at, id) serves the newest-first keyset list; the read_at variant, the
    // unread filter.
    up: [
      `
        CREATE TABLE notifications (
          id CHAR(36) NOT NULL PRIMARY KEY,
          user_id CHAR(36) NOT NULL,
          type VARCHAR(64) NOT NULL,
          title VARCHAR(255) NOT NULL,
          body TEXT NOT NULL,
          data TEXT NOT NULL,
          read_at DATETIME(3) NULL,
          created_at DATETIME(3) NOT NULL,
          KEY notifications_user_created (user_id, created_at, id),
          KEY notifications_user_unread (user_id, read_at, created_at, id)
        ) ENGINE=InnoDB`,
    ],
    down: [`DROP TABLE notifications`],
  }),
  '0002_processed_events': processedEventsMigration,
  // Who is blocked, as user.updated last said (changed_at: the event's occurredAt, newest wins):
  // their access tokens stay valid for a while, but they may not open a live stream.
  '0003_account_states': sqlMigration({
    up: [
      `
        CREATE TABLE account_states (
          user_id CHAR(36) NOT NULL PRIMARY KEY,
          blocked TINYINT(1) NOT NULL,
          changed_at DATETIME(3) NOT NULL
        ) ENGINE=InnoDB`,
    ],
    down: [`DROP TABLE account_states`],
  }),
  // Parked events, and the index that lets old dedupe records be pruned (libs/events).
  '0004_dead_letters': deadLettersMigration,
};
