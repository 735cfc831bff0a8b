import type { Generated } from 'kysely';

export interface NotificationsTable {
  id: string;
  user_id: string;
  type: string;
  title: string;
  body: string;
  /** JSON text. */
  data: string;
  read_at: Date | null;
  created_at: Date;
  /** Arrival order (AUTO_INCREMENT). */
  seq: Generated<string>;
}

export interface ProcessedEventsTable {
  consumer: string;
  event_id: string;
  processed_at: Generated<Date>;
}

export interface AccountStatesTable {
  user_id: string;
  /** TINYINT(1): 0 or 1. */
  blocked: number;
  /** `occurredAt` of the user.updated it came from. */
  changed_at: Date;
}

export interface RecipientsTable {
  user_id: string;
  email: string | null;
  name: string;
  language: string;
  changed_at: Date;
}

export interface MailPreferencesTable {
  user_id: string;
  type: string;
  /** TINYINT(1): 0 or 1. */
  enabled: number;
}

export interface MailOutboxTable {
  id: Generated<string>;
  notification_id: string;
  user_id: string;
  to_address: string;
  subject: string;
  text_body: string;
  html_body: string;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  claimed_by: string | null;
  claimed_until: Date | null;
  last_error: string | null;
  created_at: Generated<Date>;
  sent_at: Date | null;
  failed_at: Date | null;
}

/** A user's notifications are stored under a lock on their row here (migration 0007). */
export interface NotificationFeedsTable {
  user_id: string;
}

export interface DB {
  notifications: NotificationsTable;
  notification_feeds: NotificationFeedsTable;
  recipients: RecipientsTable;
  mail_preferences: MailPreferencesTable;
  mail_outbox: MailOutboxTable;
  account_states: AccountStatesTable;
  processed_events: ProcessedEventsTable;
}
