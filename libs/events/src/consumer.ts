import { sql, type Kysely, type Transaction } from 'kysely';
import {
  AMQPError,
  ConsumerStatus,
  type AsyncMessage,
  type Connection,
  type Consumer,
  type Envelope,
  type Publisher,
} from 'rabbitmq-client';
import { PeriodicTask, type Registry } from '@marketplace/tasks';
import { EVENTS_EXCHANGE, type DomainEvent } from '@marketplace/contracts';
import { isDuplicateKey, sqlMigration } from '@marketplace/db';
import { parseEvent } from './envelope.ts';
import { consumerMetrics, type ConsumerMetrics } from './consumer-metrics.ts';
import { bodyBytes, parkMessage, withoutRetryState } from './dead-letters.ts';
import { classifyFailure, describeFailure } from './failures.ts';
import { consumerQueues, exchangeDeclarations, MAX_RETRY_DELAY_MS } from './topology.ts';
import { traceConsume } from './tracing.ts';
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
  /** Deliveries of an event whose handler keeps failing (not transiently) before it is parked. */
  maxAttempts?: number;
  /** Back-off of the first retry; doubles each attempt up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  prefetch?: number;
  /** How long an event's dedupe record is kept: longer than any redelivery; default 7 days. */
  dedupeRetentionMs?: number;
  /** How often old dedupe records are deleted; default hourly. */
  pruneIntervalMs?: number;
  /** Deliveries by outcome, parked events and queue lag; the pruning task's runs. */
  registry?: Registry;
}

const ATTEMPT_HEADER = 'x-attempt';
const PRUNE_BATCH = 5_000;

/** What one delivery is, once its attempt number is known. */
interface Delivery {
  message: AsyncMessage;
  attempt: number;
}

/**
 * Consumes events with manual acks: each one is handled in a database transaction that also
 * records its id (so a redelivery is a no-op), and acked only after that commit.
 *
 * A failure is republished (confirmed) to the retry queue with capped back-off; when even that
 * publish fails, the delivery is rejected and the main queue's dead-letter exchange takes it to
 * the same retry queue. A transient failure (the database unreachable, a lock timeout) retries
 * for as long as the fault lasts; an invalid envelope, a handler's PermanentEventError, or any
 * other error `maxAttempts` times over, is parked in `dead_letters` with its reason.
 */
export class EventConsumer<DB> {
  private readonly consumer: Consumer;
  private readonly publisher: Publisher;
  private readonly queues: ReturnType<typeof consumerQueues>;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly prune: PeriodicTask<number>;
  private readonly metrics: ConsumerMetrics;
  private readonly exchange: string;
  /** Settles once the queue is declared, bound and consumed from (for the first time). */
  readonly ready: Promise<void>;

  constructor(private readonly options: EventConsumerOptions<DB>) {
    const exchange = options.exchange ?? EVENTS_EXCHANGE;
    this.exchange = exchange;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? MAX_RETRY_DELAY_MS;
    this.queues = consumerQueues(options.queue, this.maxRetryDelayMs);
    this.maxAttempts = options.maxAttempts ?? 5;
    this.retryDelayMs = options.retryDelayMs ?? 1_000;
    const topology = exchangeDeclarations(exchange);
    this.metrics = consumerMetrics(
      options.registry,
      options.queue,
      this.queues.retry.queue,
      options,
    );
    this.publisher = options.broker.createPublisher({
      confirm: true,
      maxAttempts: 2,
      queues: [this.queues.retry],
    });
    this.consumer = options.broker.createConsumer(
      {
        queue: options.queue,
        queueOptions: this.queues.main,
        qos: { prefetchCount: options.prefetch ?? 20 },
        concurrency: options.prefetch ?? 20,
        // A handler that throws is rejected into the dead-letter exchange, never requeued.
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
    this.ready = new Promise((resolve) => this.consumer.once('ready', () => resolve()));
    this.consumer.on('error', (error: unknown) => {
      const hint =
        error instanceof AMQPError && error.code === 'PRECONDITION_FAILED'
          ? 'the queue exists with other arguments (see docs/events.md, "Upgrading queues")'
          : undefined;
      options.logger.warn({ err: error, queue: options.queue, hint }, 'consumer error');
    });
    const retentionSeconds = Math.ceil((options.dedupeRetentionMs ?? 7 * 86_400_000) / 1000);
    this.prune = new PeriodicTask({
      name: 'processed-events-prune',
      intervalMs: options.pruneIntervalMs ?? 3_600_000,
      run: () => this.pruneOnce(retentionSeconds),
      hasMore: (deleted) => deleted >= PRUNE_BATCH,
      logger: options.logger,
      ...(options.registry ? { registry: options.registry } : {}),
    });
  }

  start(): void {
    // The main queue dead-letters into the retry queue, so it must exist before the first
    // rejection; the publisher declares it again on every channel it opens.
    this.options.broker.queueDeclare(this.queues.retry).catch((error: unknown) => {
      this.options.logger.warn({ err: error, queue: this.queues.retry.queue }, 'declare failed');
    });
    this.consumer.start();
    this.prune.start();
  }

  async stop(): Promise<void> {
    await this.prune.stop();
    await this.consumer.close();
    await this.publisher.close();
  }

  /** Deletes one batch of dedupe records older than `retentionSeconds`; returns how many. */
  async pruneOnce(retentionSeconds: number): Promise<number> {
    const result = await sql`
      DELETE FROM processed_events
      WHERE consumer = ${this.options.queue}
        AND processed_at < CURRENT_TIMESTAMP(3) - INTERVAL ${retentionSeconds} SECOND
      ORDER BY processed_at LIMIT ${PRUNE_BATCH}`.execute(this.options.db);
    return Number(result.numAffectedRows ?? 0);
  }

  private async receive(message: AsyncMessage): Promise<ConsumerStatus> {
    const { logger, queue } = this.options;
    const delivery: Delivery = { message, attempt: this.attemptOf(message) };
    const parsed = parseEvent(message.body);
    if ('error' in parsed) {
      // Retrying cannot make an invalid envelope valid.
      return this.park(delivery, null, `invalid envelope: ${parsed.error}`);
    }
    const { event } = parsed;
    try {
      const traced = { ...event, exchange: this.exchange };
      const handled = await traceConsume(traced, message.headers, () => this.handleOnce(event));
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
      this.metrics.count(handled ? 'handled' : 'duplicate');
      return ConsumerStatus.ACK;
    } catch (error) {
      const kind = classifyFailure(error);
      const reason = describeFailure(error);
      if (kind === 'permanent' || (kind === 'unknown' && delivery.attempt >= this.maxAttempts)) {
        return this.park(delivery, event, reason);
      }
      this.metrics.count(kind === 'transient' ? 'retry_transient' : 'retry_failed');
      return this.retryLater(delivery, reason, { eventId: event.id, kind });
    }
  }

  /**
   * The delivery's attempt number: the consumer's own count, carried on republished copies, plus
   * the rejections the broker has counted (x-death) since that copy was published.
   */
  private attemptOf(message: AsyncMessage): number {
    const counted = Number(message.headers?.[ATTEMPT_HEADER] ?? 1);
    const deaths: unknown = message.headers?.['x-death'];
    let rejected = 0;
    if (Array.isArray(deaths)) {
      for (const death of deaths as { queue?: unknown; reason?: unknown; count?: unknown }[]) {
        if (death.queue === this.options.queue && death.reason === 'rejected')
          rejected += Number(death.count ?? 1);
      }
    }
    return (Number.isFinite(counted) && counted > 0 ? counted : 1) + rejected;
  }

  /** Republishes the delivery to the retry queue with back-off; rejects it if that fails. */
  private async retryLater(
    { message, attempt }: Delivery,
    reason: string,
    context: object,
  ): Promise<ConsumerStatus> {
    const { logger, queue } = this.options;
    const delay = Math.min(this.retryDelayMs * 2 ** (attempt - 1), this.maxRetryDelayMs);
    logger.warn(
      { ...context, queue, attempt, reason, retryInMs: delay },
      'event failed; will retry',
    );
    try {
      await this.republish(
        {
          routingKey: this.queues.retry.queue,
          durable: true,
          expiration: String(delay),
          contentType: 'application/json',
          ...(message.messageId ? { messageId: message.messageId } : {}),
          ...(message.type ? { type: message.type } : {}),
          headers: {
            ...withoutRetryState(message.headers ?? {}),
            [ATTEMPT_HEADER]: attempt + 1,
            'x-last-failure': reason.slice(0, 200),
          },
        },
        message.body,
      );
      // Republished (confirmed), so this delivery is done with.
      return ConsumerStatus.ACK;
    } catch (error) {
      logger.warn(
        { err: error, queue, attempt },
        'retry publish failed; rejecting into the dead-letter exchange',
      );
      this.metrics.count('rejected_to_dlx');
      return ConsumerStatus.DROP;
    }
  }

  /** The confirmed publish of a retry; a seam for the fault test that makes it fail. */
  protected republish(envelope: Envelope, body: unknown): Promise<void> {
    return this.publisher.send(envelope, body);
  }

  private async park(
    delivery: Delivery,
    event: DomainEvent | null,
    reason: string,
  ): Promise<ConsumerStatus> {
    const { logger, queue } = this.options;
    const { message, attempt } = delivery;
    try {
      await parkMessage(this.options.db, {
        source: queue,
        eventId: event?.id ?? message.messageId ?? claimed(message.body, 'id'),
        type: event?.type ?? message.type ?? claimed(message.body, 'type'),
        reason,
        attempts: attempt,
        body: bodyBytes(message.body),
        headers: message.headers ?? {},
        replayExchange: '',
        replayRoutingKey: queue,
      });
      logger.error({ queue, eventId: event?.id, attempt, reason }, 'event parked');
      this.metrics.count('parked');
      return ConsumerStatus.ACK;
    } catch (error) {
      this.metrics.count('park_failed');
      // Not parked (the database is down, say): it goes round again rather than being dropped.
      return this.retryLater(delivery, `parking failed: ${describeFailure(error)}`, {
        eventId: event?.id,
      });
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
}

/** The id or type an invalid envelope says it has, if any: what an operator looks for first. */
function claimed(body: unknown, field: 'id' | 'type'): string | null {
  const value: unknown =
    typeof body === 'object' && body !== null && !Buffer.isBuffer(body)
      ? (body as Record<string, unknown>)[field]
      : undefined;
  return typeof value === 'string' ? value.slice(0, 100) : null;
}

/** Removes a consumer's queues; for tests that made their own. */
export async function deleteConsumerQueues(broker: Connection, queue: string): Promise<void> {
  const queues = consumerQueues(queue);
  for (const q of [queues.main, queues.retry]) {
    await broker.queueDelete({ queue: q.queue });
  }
}
