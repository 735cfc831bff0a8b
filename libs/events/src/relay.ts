import { sql, type Kysely } from 'kysely';
import type { Connection, Publisher } from 'rabbitmq-client';
import { EVENTS_EXCHANGE } from '@marketplace/contracts';
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
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(private readonly options: RelayOptions<DB>) {
    this.exchange = options.exchange ?? EVENTS_EXCHANGE;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.batchSize = options.batchSize ?? 200;
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
    this.stopped = false;
    this.schedule(0);
  }

  /** Call after committing a transaction that enqueued events, to publish them now. */
  nudge(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
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

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.drain().finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.schedule(0);
        } else {
          this.schedule(this.pollIntervalMs);
        }
      });
    }, delayMs);
  }

  private async drain(): Promise<void> {
    try {
      // Keep going while full batches come back; a short batch means the table is drained.
      while (!this.stopped && (await this.flushOnce()) >= this.batchSize) {
        /* next batch */
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'outbox relay pass failed; will retry');
    }
  }
}
