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
  // E-mail: notification-service's own copy of whom to write to and in which language (from user
  // events, newest wins), each user's choices, and the durable outbox of mails the sender works
  // through (pending until the SMTP server took it; back-off while it does not).
  '0005_mail': sqlMigration({
    up: [
      `
        CREATE TABLE recipients (
          user_id CHAR(36) NOT NULL PRIMARY KEY,
          email VARCHAR(320) NULL,
          name VARCHAR(200) NOT NULL,
          language CHAR(2) NOT NULL DEFAULT 'en',
          changed_at DATETIME(3) NOT NULL
        ) ENGINE=InnoDB`,
      `
        CREATE TABLE mail_preferences (
          user_id CHAR(36) NOT NULL,
          type VARCHAR(64) NOT NULL,
          enabled TINYINT(1) NOT NULL,
          PRIMARY KEY (user_id, type)
        ) ENGINE=InnoDB`,
      `
        CREATE TABLE mail_outbox (
          id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
          notification_id CHAR(36) NOT NULL,
          user_id CHAR(36) NOT NULL,
          to_address VARCHAR(320) NOT NULL,
          subject VARCHAR(255) NOT NULL,
          text_body MEDIUMTEXT NOT NULL,
          html_body MEDIUMTEXT NOT NULL,
          attempts INT UNSIGNED NOT NULL DEFAULT 0,
          next_attempt_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
          claimed_by VARCHAR(100) NULL,
          claimed_until DATETIME(3) NULL,
          last_error VARCHAR(500) NULL,
          created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
          sent_at DATETIME(3) NULL,
          failed_at DATETIME(3) NULL,
          UNIQUE KEY mail_outbox_notification (notification_id),
          KEY mail_outbox_due (sent_at, failed_at, next_attempt_at, id)
        ) ENGINE=InnoDB`,
    ],
    down: ['DROP TABLE mail_outbox', 'DROP TABLE mail_preferences', 'DROP TABLE recipients'],
  }),
  // The order notifications arrived in, per user: a live stream resumed after Last-Event-ID
  // replays what arrived after that one (created_at is when the event happened, not arrival).
  '0006_notification_seq': sqlMigration({
    up: [
      `ALTER TABLE notifications
         ADD COLUMN seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE,
         ADD KEY notifications_user_seq (user_id, seq)`,
    ],
    down: ['ALTER TABLE notifications DROP KEY notifications_user_seq, DROP COLUMN seq'],
  }),
  // One row per user whose notifications are stored, locked by the transaction that stores the
  // next: a user's notifications then commit in their seq order, so a stream that has seen one
  // has seen every one before it (AUTO_INCREMENT alone is handed out at insert, not at commit).
  '0007_notification_feeds': sqlMigration({
    up: [
      `
        CREATE TABLE notification_feeds (
          user_id CHAR(36) NOT NULL PRIMARY KEY
        ) ENGINE=InnoDB`,
    ],
    down: ['DROP TABLE notification_feeds'],
  }),
};
