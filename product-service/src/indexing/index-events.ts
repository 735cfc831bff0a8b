import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Consumer } from 'rabbitmq-client';
import {
  exchangeDeclarations,
  parseEvent,
  type BrokerConnection,
  type Logger,
} from '@marketplace/events';
import type { CatalogIndex } from '../search/catalog-index.ts';

export interface IndexEventsOptions {
  broker: BrokerConnection;
  exchange: string;
  /** The service's queue name; this replica's own queue is named after it. */
  queuePrefix: string;
  index: CatalogIndex;
  logger: Logger;
  /** Reads the products as committed and indexes them. */
  refresh: (ids: readonly string[]) => Promise<void>;
  /** Changes are gathered this long and read in one query. */
  batchMs?: number;
}

/**
 * Every replica hears every product.updated on a queue of its own (exclusive: it goes with the
 * connection), so a write on one replica reaches the others' indexes within a batch interval.
 * Losing a message here loses nothing: the catch-up scan reads what an event did not tell,
 * which is why these messages are not acknowledged one by one (noAck).
 */
export function startIndexEvents(options: IndexEventsOptions): { stop(): Promise<void> } {
  const queue = `${options.queuePrefix}.index.${hostname()}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let flushing = Promise.resolve();

  const flush = () => {
    timer = undefined;
    const ids = [...pending];
    pending.clear();
    flushing = flushing
      .then(() => options.refresh(ids))
      .catch((error: unknown) => {
        options.logger.warn({ err: error, products: ids.length }, 'index refresh failed');
      });
  };

  const topology = exchangeDeclarations(options.exchange);
  const consumer: Consumer = options.broker.createConsumer(
    {
      queue,
      noAck: true,
      queueOptions: { exclusive: true, autoDelete: true, durable: false },
      exchanges: topology.exchanges,
      queueBindings: [{ queue, exchange: options.exchange, routingKey: 'product.updated' }],
    },
    (message) => {
      const parsed = parseEvent(message.body);
      if (!('event' in parsed) || parsed.event.type !== 'product.updated') return;
      const { productId, version } = parsed.event.data;
      if ((options.index.versionOf(productId) ?? 0) >= version) return;
      pending.add(productId);
      timer ??= setTimeout(flush, options.batchMs ?? 50);
    },
  );
  consumer.on('error', (error: unknown) => {
    options.logger.warn({ err: error }, 'index events consumer');
  });

  return {
    stop: async () => {
      await consumer.close();
      if (timer) clearTimeout(timer);
      flush();
      await flushing;
    },
  };
}
