import { sql, type Kysely, type Transaction } from 'kysely';
import type { EventData, EventEnvelope, EventType } from '@marketplace/contracts';
import { sqlMigration } from '@marketplace/db';
import { createEnvelope } from './envelope.ts';

/** The outbox table, in the producing service's own database. Add it to its migrations. */
export const outboxMigration = sqlMigration({
  up: [
    `
      CREATE TABLE outbox_events (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        event_id CHAR(36) NOT NULL,
        type VARCHAR(100) NOT NULL,
        payload MEDIUMTEXT NOT NULL,
        created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        published_at DATETIME(3) NULL,
        attempts INT UNSIGNED NOT NULL DEFAULT 0,
        UNIQUE KEY outbox_event_id (event_id),
        KEY outbox_pending (published_at, id)
      ) ENGINE=InnoDB`,
  ],
  down: ['DROP TABLE outbox_events'],
});

/**
 * Records an event in the same transaction as the change that caused it; the relay publishes it
 * after commit. Nothing is published for a transaction that rolls back.
 */
export async function enqueueEvent<DB, T extends EventType>(
  trx: Transaction<DB> | Kysely<DB>,
  type: T,
  data: EventData<T>,
  correlationId: string | null,
): Promise<EventEnvelope<T, EventData<T>>> {
  const envelope = createEnvelope(type, data, correlationId);
  await sql`
    INSERT INTO outbox_events (event_id, type, payload)
    VALUES (${envelope.id}, ${type}, ${JSON.stringify(envelope)})`.execute(trx);
  return envelope;
}

/**
 * The relay's lease: one row per outbox naming the instance allowed to publish until
 * `expires_at` (the database's clock, so instances need not agree on time). Add it to the
 * producer's migrations after the outbox.
 */
export const outboxLeaseMigration = sqlMigration({
  up: [
    `
      CREATE TABLE outbox_relay_lease (
        name VARCHAR(50) NOT NULL PRIMARY KEY,
        holder VARCHAR(100) NOT NULL,
        expires_at DATETIME(3) NOT NULL
      ) ENGINE=InnoDB`,
  ],
  down: ['DROP TABLE outbox_relay_lease'],
});
