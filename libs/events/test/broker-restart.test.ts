import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { createDb, migrateToLatest } from '@marketplace/db';
import {
  createTestDatabase,
  freePort,
  PrivateBroker,
  silentLogger,
  TEST_MYSQL_URL,
  uniqueName,
  waitFor,
} from '@marketplace/testing';
import {
  createBroker,
  deadLettersMigration,
  enqueueEvent,
  EventConsumer,
  OutboxRelay,
  outboxLeaseMigration,
  outboxMigration,
  processedEventsMigration,
  type BrokerConnection,
} from '../src/index.ts';

type Db = Record<string, never>;

// Restarting the shared broker would break every suite running alongside: this one has its own.
describe('events: RabbitMQ restarted mid-stream (a broker node of its own)', () => {
  const exchange = uniqueName('t.restart');
  const queue = uniqueName('t.restart.consumer');
  let node: PrivateBroker;
  let database: { name: string; drop: () => Promise<void> };
  let db: Kysely<Db>;
  let broker: BrokerConnection;
  let relay: OutboxRelay<Db>;
  let consumer: EventConsumer<Db>;
  const handled: string[] = [];

  beforeAll(async () => {
    node = await PrivateBroker.start(await freePort());
    database = await createTestDatabase('restart');
    db = createDb<Db>({ url: TEST_MYSQL_URL, database: database.name });
    await migrateToLatest(db, {
      '0001_outbox': outboxMigration,
      '0002_lease': outboxLeaseMigration,
      '0003_processed': processedEventsMigration,
      '0004_dead_letters': deadLettersMigration,
    });
    broker = createBroker(node.url, silentLogger, 'restart-test');
    relay = new OutboxRelay({ db, broker, logger: silentLogger, exchange, pollIntervalMs: 50 });
    consumer = new EventConsumer({
      db,
      broker,
      logger: silentLogger,
      exchange,
      queue,
      bindings: ['user.*'],
      handler: async (event) => {
        handled.push(event.id);
      },
    });
    consumer.start();
    await consumer.ready;
    relay.start();
  }, 120_000);

  afterAll(async () => {
    await relay?.stop();
    await consumer?.stop();
    await broker?.close();
    await db?.destroy();
    await database?.drop();
    // Whatever happened above, the node goes (the shared broker was never touched).
    await node?.destroy();
  }, 60_000);

  it('when the broker restarts while events flow, then every committed event is handled exactly once', async () => {
    const ids: string[] = [];
    let producing = true;
    const producer = (async () => {
      // Several commits at once, so publishes are in flight whenever the broker goes down.
      for (let i = 0; producing; i += 5) {
        const envelopes = await Promise.all(
          [0, 1, 2, 3, 4].map((k) =>
            enqueueEvent(
              db,
              'user.registered',
              { userId: `u${i + k}`, email: 'a@b.c', name: `n${i + k}`, role: 'buyer' },
              null,
            ),
          ),
        );
        ids.push(...envelopes.map((e) => e.id));
        relay.nudge();
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await waitFor(() => (handled.length >= 50 ? true : undefined), { what: 'a first share' });
    await node.restart();
    await waitFor(() => (handled.length >= ids.length - 50 ? true : undefined), {
      what: 'the flow to resume',
      timeoutMs: 60_000,
    });
    producing = false;
    await producer;
    await waitFor(() => (new Set(handled).size === ids.length ? true : undefined), {
      what: 'every event handled',
      timeoutMs: 60_000,
    });
    expect(ids.length).toBeGreaterThan(100);
    expect(handled.toSorted()).toEqual(ids.toSorted());
    const { rows } = await sql<{ n: number | string }>`
      SELECT COUNT(*) AS n FROM dead_letters`.execute(db);
    expect(Number(rows[0]?.n)).toBe(0);
  }, 120_000);
});
