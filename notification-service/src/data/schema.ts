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

export interface DB {
  notifications: NotificationsTable;
  account_states: AccountStatesTable;
  processed_events: ProcessedEventsTable;
}
