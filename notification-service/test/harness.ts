import type { Kysely } from 'kysely';
import type { EventData, EventEnvelope, EventType } from '@marketplace/contracts';
import {
  createBroker,
  createEnvelope,
  deleteConsumerQueues,
  exchangeDeclarations,
  unroutedQueueName,
} from '@marketplace/events';
import type { ServiceApp } from '@marketplace/service-kit';
import {
  createTestDatabase,
  createTestTokens,
  freePort,
  silentLogger,
  TEST_MYSQL_URL,
  TEST_RABBITMQ_URL,
  uniqueName,
  waitFor,
  type TestTokens,
} from '@marketplace/testing';
import { buildApp, prepare } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { DB } from '../src/data/schema.ts';
import type { NotificationHub } from '../src/live/notification.hub.ts';

export interface Harness {
  app: ServiceApp;
  /** The service's own database, for waiting on what the consumer has handled. */
  db: Kysely<DB>;
  hub: NotificationHub;
  tokens: TestTokens;
  /** The suite's exchange and the consumer's queue. */
  exchange: string;
  queue: string;
  databaseName: string;
  /** A second instance of the service on the same database, exchange and queue, listening. */
  anotherInstance(): Promise<{ url: string; close: () => Promise<void> }>;
  /** Publishes a real event envelope onto the suite's exchange, with confirms. */
  publish<T extends EventType>(type: T, data: EventData<T>): Promise<EventEnvelope>;
  publishEnvelope(envelope: EventEnvelope): Promise<void>;
  close(): Promise<void>;
}

/**
 * The service on its own database, exchange and queue, with a publisher standing in for others.
 * `mysqlUrl` puts something (a proxy a test can cut) between the service and MariaDB.
 */
export async function startHarness(
  name: string,
  options: { mysqlUrl?: string; smtpUrl?: string } = {},
): Promise<Harness> {
  const database = await createTestDatabase(name);
  const exchange = uniqueName(`t.${name}.events`);
  const queue = uniqueName(`t.${name}.queue`);
  const config = loadConfig({
    MYSQL_URL: options.mysqlUrl ?? TEST_MYSQL_URL,
    DB_NAME: database.name,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    EVENTS_EXCHANGE: exchange,
    EVENTS_QUEUE: queue,
    // Without a server of the test's own, mail goes nowhere (a port nothing listens on).
    SMTP_URL: options.smtpUrl ?? `smtp://127.0.0.1:${await freePort()}`,
  });
  await prepare(config, silentLogger);
  const tokens = await createTestTokens();
  const { app, db, hub, live } = await buildApp(config, {
    verifier: tokens.verifier,
    logger: false,
    heartbeatMs: 200,
  });
  await app.ready();
  await live.ready;

  const broker = createBroker(TEST_RABBITMQ_URL, silentLogger, `${name}-test-publisher`);
  const publisher = broker.createPublisher({ confirm: true, ...exchangeDeclarations(exchange) });
  // Events published before the consumer has bound its queue would go to the unrouted queue.
  await waitFor(
    async () => {
      const { consumerCount } = await broker.queueDeclare({ queue, passive: true });
      return consumerCount > 0 ? true : undefined;
    },
    { what: 'the consumer to subscribe' },
  );

  const publishEnvelope = async (envelope: EventEnvelope): Promise<void> => {
    await publisher.send(
      {
        exchange,
        routingKey: envelope.type,
        durable: true,
        contentType: 'application/json',
        messageId: envelope.id,
      },
      Buffer.from(JSON.stringify(envelope)),
    );
  };

  return {
    app,
    db,
    hub,
    tokens,
    exchange,
    queue,
    databaseName: database.name,
    async anotherInstance() {
      const other = await buildApp(config, {
        verifier: tokens.verifier,
        logger: false,
        heartbeatMs: 200,
      });
      await other.app.ready();
      await other.live.ready;
      // Both instances consume the queue before the test publishes.
      await waitFor(
        async () => {
          const { consumerCount } = await broker.queueDeclare({ queue, passive: true });
          return consumerCount >= 2 ? true : undefined;
        },
        { what: 'the second instance to subscribe' },
      );
      const url = await other.app.listen({ port: 0, host: '127.0.0.1' });
      return { url, close: () => other.app.close() };
    },
    publishEnvelope,
    async publish(type, data) {
      const envelope = createEnvelope(type, data, uniqueName('req'));
      await publishEnvelope(envelope);
      return envelope;
    },
    async close() {
      await app.close();
      await publisher.close();
      await deleteConsumerQueues(broker, queue);
      await broker.queueDelete({ queue: unroutedQueueName(exchange) });
      await broker.exchangeDelete({ exchange });
      await broker.exchangeDelete({ exchange: `${exchange}.live` });
      await broker.exchangeDelete({ exchange: unroutedQueueName(exchange) });
      await broker.close();
      await database.drop();
    },
  };
}
