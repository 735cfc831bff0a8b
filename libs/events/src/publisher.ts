import type { Kysely } from 'kysely';
import type { Connection } from 'rabbitmq-client';
import type { Registry } from '@marketplace/tasks';
import { createBroker, pingBroker } from './broker.ts';
import type { Logger } from './logger.ts';
import { OutboxRelay } from './relay.ts';

/** The broker settings every publishing service reads (service-kit's `brokerConfig`). */
export interface PublisherConfig {
  RABBITMQ_URL: string;
  EVENTS_EXCHANGE: string;
}

/** What a service that publishes events runs besides its app: a connection and its relay. */
export interface EventPublisher<DB> {
  readonly broker: Connection;
  readonly relay: OutboxRelay<DB>;
  /** Publishes what was just committed now, rather than at the next poll. */
  nudge(): void;
  /** For `/ready`: fails while the broker connection is down. */
  ping(): Promise<void>;
  /** Stops the relay (a pass under way finishes) and only then closes the connection. */
  close(): Promise<void>;
}

/**
 * Connects to the broker as `service` and starts relaying the outbox of `db`; `host` is the app,
 * whose logger and metrics registry the relay uses. The database must be migrated already.
 */
export function startEventPublisher<DB>(
  service: string,
  db: Kysely<DB>,
  config: PublisherConfig,
  host: { log: Logger; metrics?: Registry },
): EventPublisher<DB> {
  const broker = createBroker(config.RABBITMQ_URL, host.log, service);
  const relay = new OutboxRelay({
    db,
    broker,
    logger: host.log,
    exchange: config.EVENTS_EXCHANGE,
    ...(host.metrics ? { registry: host.metrics } : {}),
  });
  relay.start();
  return {
    broker,
    relay,
    nudge: () => relay.nudge(),
    ping: () => pingBroker(broker),
    close: async () => {
      await relay.stop();
      await broker.close();
    },
  };
}
