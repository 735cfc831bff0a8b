import type { Kysely } from 'kysely';
import { ConsumerStatus, type AsyncMessage, type Connection, type Consumer } from 'rabbitmq-client';
import { EVENTS_EXCHANGE } from '@marketplace/contracts';
import type { Registry } from 'prom-client';
import { parkedGauge } from './consumer-metrics.ts';
import { bodyBytes, parkMessage } from './dead-letters.ts';
import { parseEvent } from './envelope.ts';
import { exchangeDeclarations, unroutedQueueName } from './topology.ts';
import type { Logger } from './logger.ts';

export interface UnroutedCollectorOptions<DB> {
  broker: Connection;
  /** The collecting service's database, with `deadLettersMigration`. */
  db: Kysely<DB>;
  logger: Logger;
  exchange?: string;
  /** Counts the unrouted events waiting in `events_parked{queue="<exchange>.unrouted"}`. */
  registry?: Registry;
}

const REQUEUE_PAUSE_MS = 1_000;

/**
 * Moves events no queue was bound for (the exchange's alternate queue) into `dead_letters`,
 * where operators list them and replay them to the exchange once a consumer is bound. One
 * service runs it (notification-service); its replicas share the queue.
 */
export class UnroutedCollector<DB> {
  private readonly consumer: Consumer;
  private readonly exchange: string;

  constructor(private readonly options: UnroutedCollectorOptions<DB>) {
    this.exchange = options.exchange ?? EVENTS_EXCHANGE;
    const topology = exchangeDeclarations(this.exchange);
    const queue = unroutedQueueName(this.exchange);
    this.consumer = options.broker.createConsumer(
      {
        queue,
        queueOptions: topology.queues[0],
        qos: { prefetchCount: 10 },
        lazy: true,
        exchanges: topology.exchanges,
        queueBindings: topology.queueBindings,
      },
      (message) => this.collect(message, queue),
    );
    this.consumer.on('error', (error: unknown) => {
      options.logger.warn({ err: error, queue }, 'unrouted collector error');
    });
    if (options.registry) parkedGauge(options.registry, queue, options.db);
  }

  start(): void {
    this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.close();
  }

  private async collect(message: AsyncMessage, queue: string): Promise<ConsumerStatus> {
    const parsed = parseEvent(message.body);
    const event = 'event' in parsed ? parsed.event : null;
    const type = event?.type ?? message.type ?? (message.routingKey || null);
    try {
      await parkMessage(this.options.db, {
        source: queue,
        eventId: event?.id ?? message.messageId ?? null,
        type,
        reason: `unrouted: no queue was bound for ${message.routingKey || '(no routing key)'}`,
        attempts: 1,
        body: bodyBytes(message.body),
        headers: message.headers ?? {},
        replayExchange: this.exchange,
        replayRoutingKey: message.routingKey,
      });
      this.options.logger.warn({ eventId: event?.id, type }, 'unrouted event collected');
      return ConsumerStatus.ACK;
    } catch (error) {
      // The database is away: keep the message where it is and come back to it shortly.
      this.options.logger.warn({ err: error }, 'could not collect an unrouted event; requeued');
      await new Promise((resolve) => setTimeout(resolve, REQUEUE_PAUSE_MS));
      return ConsumerStatus.REQUEUE;
    }
  }
}
