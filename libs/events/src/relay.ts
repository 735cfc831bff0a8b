import { sql, type Kysely } from 'kysely';
import type { Connection, Publisher } from 'rabbitmq-client';
import { EVENTS_EXCHANGE } from '@marketplace/contracts';
import { PeriodicTask, type Registry } from '@marketplace/tasks';
import { exchangeDeclarations } from './topology.ts';
import type { Logger } from './logger.ts';

export interface RelayOptions<DB> {
  db: Kysely<DB>;
  broker: Connection;
  logger: Logger;
  exchange?: string;
  /** How often to look for rows nobody nudged about (after a crash, a broker outage). */
  pollIntervalMs?: number;
  batchSize?: number;
  /** Counts the relay's passes and failures (task `outbox-relay`). */
  registry?: Registry;
}

interface OutboxRow {
  id: number;
  event_id: string;
  type: string;
  payload: string;
}

/**
 * Publishes outbox rows with publisher confirms and marks only the confirmed ones; a row whose
 * publish failed stays pending and is retried on the next pass. Rows are claimed with
 * SKIP LOCKED, so several instances of a service can relay side by side.
 */
export class OutboxRelay<DB> {
  private readonly publisher: Publisher;
  private readonly exchange: string;
  private readonly batchSize: number;
  private readonly task: PeriodicTask<number>;

  constructor(private readonly options: RelayOptions<DB>) {
    this.exchange = options.exchange ?? EVENTS_EXCHANGE;
    this.batchSize = options.batchSize ?? 200;
    this.task = new PeriodicTask({
      name: 'outbox-relay',
      run: () => this.flushOnce(),
      intervalMs: options.pollIntervalMs ?? 1_000,
      firstDelayMs: 0,
      // A full batch means more rows may be waiting: keep going until a short one comes back.
      hasMore: (confirmed) => confirmed >= this.batchSize,
      logger: options.logger,
      registry: options.registry,
    });
    const topology = exchangeDeclarations(this.exchange);
    this.publisher = options.broker.createPublisher({
      confirm: true,
      maxAttempts: 3,
      exchanges: topology.exchanges,
      queues: topology.queues,
      queueBindings: topology.queueBindings,
    });
  }

  start(): void {
    this.task.start();
  }

  /** Call after committing a transaction that enqueued events, to publish them now. */
  nudge(): void {
    this.task.nudge();
  }

  async stop(): Promise<void> {
    await this.task.stop();
    await this.publisher.close();
  }

  /** One pass: publishes up to a batch of pending rows; returns how many were confirmed. */
  async flushOnce(): Promise<number> {
    return this.options.db.transaction().execute(async (trx) => {
      const { rows } = await sql<OutboxRow>`
        SELECT id, event_id, type, payload FROM outbox_events
        WHERE published_at IS NULL ORDER BY id LIMIT ${this.batchSize}
        FOR UPDATE SKIP LOCKED`.execute(trx);
      if (rows.length === 0) return 0;
      // Confirms are pipelined: every publish of the batch is in flight at once.
      const results = await Promise.allSettled(rows.map((row) => this.publish(row)));
      const confirmed = rows.filter((_, i) => results[i]?.status === 'fulfilled').map((r) => r.id);
      const failed = rows.filter((_, i) => results[i]?.status === 'rejected').map((r) => r.id);
      if (confirmed.length > 0) {
        await sql`UPDATE outbox_events SET published_at = CURRENT_TIMESTAMP(3)
                  WHERE id IN (${sql.join(confirmed)})`.execute(trx);
      }
      if (failed.length > 0) {
        await sql`UPDATE outbox_events SET attempts = attempts + 1
                  WHERE id IN (${sql.join(failed)})`.execute(trx);
        const reason: unknown = results.find((r) => r.status === 'rejected')?.reason;
        this.options.logger.warn(
          { err: reason, failed: failed.length },
          'outbox publish failed; will retry',
        );
      }
      return confirmed.length;
    });
  }

  private publish(row: OutboxRow): Promise<void> {
    const envelope = JSON.parse(row.payload) as {
      correlationId?: string | null;
      occurredAt: string;
    };
    return this.publisher.send(
      {
        exchange: this.exchange,
        routingKey: row.type,
        durable: true,
        contentType: 'application/json',
        messageId: row.event_id,
        type: row.type,
        ...(envelope.correlationId ? { correlationId: envelope.correlationId } : {}),
        timestamp: Math.floor(Date.parse(envelope.occurredAt) / 1000),
      },
      Buffer.from(row.payload),
    );
  }
}
