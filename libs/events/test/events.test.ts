import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { createDb, migrateToLatest } from '@marketplace/db';
import {
  createTestDatabase,
  silentLogger,
  TEST_MYSQL_URL,
  TEST_RABBITMQ_URL,
  uniqueName,
  waitFor,
} from '@marketplace/testing';
import type { DomainEvent } from '@marketplace/contracts';
import {
  createBroker,
  deadLettersMigration,
  deleteConsumerQueues,
  listDeadLetters,
  outboxLeaseMigration,
  enqueueEvent,
  EventConsumer,
  OutboxRelay,
  outboxMigration,
  processedEventsMigration,
  unroutedQueueName,
  type BrokerConnection,
} from '../src/index.ts';

type Db = Record<string, never>;

describe('events: outbox relay and consumer', () => {
  const exchange = uniqueName('t.events');
  const queue = uniqueName('t.events.consumer');
  let database: { name: string; drop: () => Promise<void> };
  let db: Kysely<Db>;
  let broker: BrokerConnection;
  let relay: OutboxRelay<Db>;
  let consumer: EventConsumer<Db>;
  const seen: DomainEvent[] = [];
  const failures = new Map<string, number>();

  beforeAll(async () => {
    database = await createTestDatabase('events');
    db = createDb<Db>({ url: TEST_MYSQL_URL, database: database.name });
    await migrateToLatest(db, {
      '0001_outbox': outboxMigration,
      '0002_processed': processedEventsMigration,
      '0003_dead_letters': deadLettersMigration,
      '0004_lease': outboxLeaseMigration,
    });
    broker = createBroker(TEST_RABBITMQ_URL, silentLogger, 'events-test');
    relay = new OutboxRelay({ db, broker, logger: silentLogger, exchange, pollIntervalMs: 100 });
    consumer = new EventConsumer({
      db,
      broker,
      logger: silentLogger,
      exchange,
      queue,
      bindings: ['user.*'],
      retryDelayMs: 50,
      maxAttempts: 3,
      handler: async (event) => {
        const failTimes =
          event.type === 'user.registered' && event.data.name.startsWith('fail')
            ? Number(event.data.name.slice(4))
            : 0;
        const count = failures.get(event.id) ?? 0;
        if (count < failTimes) {
          failures.set(event.id, count + 1);
          throw new Error('handler failure');
        }
        seen.push(event);
      },
    });
    consumer.start();
    // An event published before the queue is bound would go to the unrouted queue instead.
    await consumer.ready;
    relay.start();
  });

  afterAll(async () => {
    await relay.stop();
    await consumer.stop();
    await deleteConsumerQueues(broker, queue);
    await broker.queueDelete({ queue: unroutedQueueName(exchange) });
    await broker.exchangeDelete({ exchange });
    await broker.exchangeDelete({ exchange: unroutedQueueName(exchange) });
    await broker.close();
    await db.destroy();
    await database.drop();
  });

  const user = (name: string) => ({ userId: 'u1', email: 'a@b.c', name, role: 'buyer' as const });

  it('when a transaction commits an event, then the consumer receives it once', async () => {
    const envelope = await db
      .transaction()
      .execute((trx) => enqueueEvent(trx, 'user.registered', user('ok'), 'req-1'));
    relay.nudge();
    const got = await waitFor(() => seen.find((e) => e.id === envelope.id), {
      what: 'event delivery',
    });
    expect(got.correlationId).toBe('req-1');
    const { rows } = await sql<{
      published_at: Date | null;
    }>`SELECT published_at FROM outbox_events WHERE event_id = ${envelope.id}`.execute(db);
    expect(rows[0]?.published_at).toBeInstanceOf(Date);
  });

  it('when a transaction rolls back, then its event is never published', async () => {
    let eventId = '';
    await expect(
      db.transaction().execute(async (trx) => {
        eventId = (await enqueueEvent(trx, 'user.registered', user('rolled-back'), null)).id;
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const { rows } = await sql<{
      n: number;
    }>`SELECT COUNT(*) AS n FROM outbox_events WHERE event_id = ${eventId}`.execute(db);
    expect(Number(rows[0]?.n)).toBe(0);
  });

  it('when the handler fails twice, then it is retried and handled once', async () => {
    const envelope = await enqueueEvent(db, 'user.registered', user('fail2'), null);
    relay.nudge();
    await waitFor(() => seen.find((e) => e.id === envelope.id), { what: 'retried delivery' });
    expect(failures.get(envelope.id)).toBe(2);
    expect(seen.filter((e) => e.id === envelope.id)).toHaveLength(1);
  });

  it('when the handler always fails, then the event is parked with its reason after maxAttempts', async () => {
    const envelope = await enqueueEvent(db, 'user.registered', user('fail99'), null);
    relay.nudge();
    const parked = await waitFor(
      async () => (await listDeadLetters(db)).find((d) => d.eventId === envelope.id),
      { what: 'parked message' },
    );
    expect(parked).toMatchObject({
      source: queue,
      type: 'user.registered',
      attempts: 3,
      reason: 'Error: handler failure',
    });
    expect(failures.get(envelope.id)).toBe(3);
    expect(seen.some((e) => e.id === envelope.id)).toBe(false);
  });

  it('when the same event is delivered twice, then it is handled once', async () => {
    const envelope = await enqueueEvent(db, 'user.registered', user('dup'), null);
    relay.nudge();
    await waitFor(() => seen.find((e) => e.id === envelope.id), { what: 'first delivery' });
    // Publish the very same row again, as a relay would after a lost confirm.
    await sql`UPDATE outbox_events SET published_at = NULL WHERE event_id = ${envelope.id}`.execute(
      db,
    );
    relay.nudge();
    await waitFor(async () => {
      const { rows } = await sql<{
        p: Date | null;
      }>`SELECT published_at AS p FROM outbox_events WHERE event_id = ${envelope.id}`.execute(db);
      return rows[0]?.p ?? undefined;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(seen.filter((e) => e.id === envelope.id)).toHaveLength(1);
  });
});
