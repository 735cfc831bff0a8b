import { sql, type Kysely, type Transaction } from 'kysely';
import {
  ConsumerStatus,
  type AsyncMessage,
  type Connection,
  type Consumer,
  type Publisher,
} from 'rabbitmq-client';
import { EVENTS_EXCHANGE, type DomainEvent } from '@marketplace/contracts';
import { isDuplicateKey, sqlMigration } from '@marketplace/db';
import { parseEvent } from './envelope.ts';
import { consumerQueues, exchangeDeclarations } from './topology.ts';
import type { Logger } from './logger.ts';

/** The consumer's dedupe table, in the consuming service's database. Add it to its migrations. */
export const processedEventsMigration = sqlMigration({
  up: [
    `
      CREATE TABLE processed_events (
        consumer VARCHAR(100) NOT NULL,
        event_id CHAR(36) NOT NULL,
        processed_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (consumer, event_id)
      ) ENGINE=InnoDB`,
  ],
  down: ['DROP TABLE processed_events'],
});

/**
 * Writes an event's effect in `trx`. It may return a function to run once that transaction has
 * committed (e.g. to push live updates), which is never run for a rollback or a duplicate.
 */
export type EventHandler<DB> = (
  event: DomainEvent,
  trx: Transaction<DB>,
) => Promise<void | (() => void)>;

export interface EventConsumerOptions<DB> {
  broker: Connection;
  db: Kysely<DB>;
  logger: Logger;
  /** Durable queue name, unique per consuming service (and per test suite). */
  queue: string;
  /** Routing keys (event types) to bind, e.g. ['order.*', 'user.registered']. */
  bindings: string[];
  handler: EventHandler<DB>;
  exchange?: string;
  /** Deliveries of one event before it is parked in `<queue>.dead`. */
  maxAttempts?: number;
  /** Back-off of the first retry; doubles each attempt. */
  retryDelayMs?: number;
  prefetch?: number;
}

const ATTEMPT_HEADER = 'x-attempt';

/**
 * Consumes events with manual acks: each one is handled in a database transaction that also
 * records its id (so a redelivery is a no-op), and acked only after that commit. A failure is
 * republished (confirmed) to a retry queue with back-off; after `maxAttempts` it is parked.
 */
export class EventConsumer<DB> {
  private readonly consumer: Consumer;
  private readonly publisher: Publisher;
  private readonly queues: ReturnType<typeof consumerQueues>;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;

  constructor(private readonly options: EventConsumerOptions<DB>) {
    const exchange = options.exchange ?? EVENTS_EXCHANGE;
    this.queues = consumerQueues(options.queue);
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 1_000;
    const topology = exchangeDeclarations(exchange);
    this.publisher = options.broker.createPublisher({
      confirm: true,
      maxAttempts: 3,
      queues: [this.queues.retry, this.queues.dead],
    });
    this.consumer = options.broker.createConsumer(
      {
        queue: options.queue,
        queueOptions: this.queues.main,
        qos: { prefetchCount: options.prefetch ?? 20 },
        concurrency: options.prefetch ?? 20,
        requeue: false,
        lazy: true,
        exchanges: topology.exchanges,
        queueBindings: options.bindings.map((routingKey) => ({
          queue: options.queue,
          exchange,
          routingKey,
        })),
      },
      (message) => this.receive(message),
    );
    this.consumer.on('error', (error: unknown) => {
      options.logger.warn({ err: error, queue: options.queue }, 'consumer error');
    });
  }

  start(): void {
    this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer.close();
    await this.publisher.close();
  }

  private async receive(message: AsyncMessage): Promise<ConsumerStatus> {
    const { logger, queue } = this.options;
    const parsed = parseEvent(message.body);
    if ('error' in parsed) {
      logger.error(
        { queue, messageId: message.messageId, reason: parsed.error },
        'poison message parked',
      );
      await this.park(message, parsed.error);
      return ConsumerStatus.ACK;
    }
    const { event } = parsed;
    try {
      const handled = await this.handleOnce(event);
      logger.info(
        {
          queue,
          eventId: event.id,
          type: event.type,
          requestId: event.correlationId,
          duplicate: !handled,
        },
        handled ? 'event handled' : 'duplicate event skipped',
      );
      return ConsumerStatus.ACK;
    } catch (error) {
      const attempt = Number(message.headers?.[ATTEMPT_HEADER] ?? 1);
      if (attempt >= this.maxAttempts) {
        logger.error(
          { err: error, queue, eventId: event.id, attempt },
          'event failed for good; parked',
        );
        await this.park(message, error instanceof Error ? error.message : String(error));
      } else {
        const delay = this.retryDelayMs * 2 ** (attempt - 1);
        logger.warn(
          { err: error, queue, eventId: event.id, attempt, retryInMs: delay },
          'event failed; will retry',
        );
        await this.publisher.send(
          {
            routingKey: this.queues.retry.queue,
            durable: true,
            expiration: String(delay),
            contentType: 'application/json',
            ...(message.messageId ? { messageId: message.messageId } : {}),
            headers: { ...message.headers, [ATTEMPT_HEADER]: attempt + 1 },
          },
          message.body,
        );
      }
      // Republished (confirmed) above, so this delivery is done with.
      return ConsumerStatus.ACK;
    }
  }

  /** True when the event was new and its effect committed; false for a duplicate. */
  private async handleOnce(event: DomainEvent): Promise<boolean> {
    let afterCommit: void | (() => void);
    try {
      afterCommit = await this.options.db.transaction().execute(async (trx) => {
        await sql`INSERT INTO processed_events (consumer, event_id)
                  VALUES (${this.options.queue}, ${event.id})`.execute(trx);
        return this.options.handler(event, trx);
      });
    } catch (error) {
      if (isDuplicateKey(error) && (await this.alreadyProcessed(event.id))) return false;
      throw error;
    }
    try {
      afterCommit?.();
    } catch (error) {
      // The effect is committed: a failing follow-up must not cause a retry.
      this.options.logger.warn({ err: error, eventId: event.id }, 'after-commit callback failed');
    }
    return true;
  }

  private async alreadyProcessed(eventId: string): Promise<boolean> {
    const { rows } = await sql<{ n: number }>`
      SELECT COUNT(*) AS n FROM processed_events
      WHERE consumer = ${this.options.queue} AND event_id = ${eventId}`.execute(this.options.db);
    return Number(rows[0]?.n ?? 0) > 0;
  }

  private async park(message: AsyncMessage, reason: string): Promise<void> {
    await this.publisher.send(
      {
        routingKey: this.queues.dead.queue,
        durable: true,
        ...(message.messageId ? { messageId: message.messageId } : {}),
        headers: { ...message.headers, 'x-failure': reason.slice(0, 500) },
      },
      message.body,
    );
  }
}

/** Removes a consumer's queues; for tests that made their own. */
export async function deleteConsumerQueues(broker: Connection, queue: string): Promise<void> {
  const queues = consumerQueues(queue);
  for (const q of [queues.main, queues.retry, queues.dead]) {
    await broker.queueDelete({ queue: q.queue });
  }
}
