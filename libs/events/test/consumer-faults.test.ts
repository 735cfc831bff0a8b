import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { AMQPChannelError, type Envelope, type Publisher } from 'rabbitmq-client';
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
  createEnvelope,
  deadLettersMigration,
  deleteConsumerQueues,
  EventConsumer,
  exchangeDeclarations,
  listDeadLetters,
  processedEventsMigration,
  replayDeadLetter,
  TransientEventError,
  unroutedQueueName,
  type BrokerConnection,
  type EventConsumerOptions,
} from '../src/index.ts';

type Db = Record<string, never>;

/** Its retry publish fails, with the error a closed channel gives, for the first `failures` calls. */
class RetryPublishFails extends EventConsumer<Db> {
  republishCalls = 0;
  constructor(
    options: EventConsumerOptions<Db>,
    private failures: number,
  ) {
    super(options);
  }
  protected override republish(envelope: Envelope, body: unknown): Promise<void> {
    this.republishCalls++;
    if (this.failures-- > 0)
      return Promise.reject(
        Object.assign(new AMQPChannelError('channel is closed'), { code: 'CH_CLOSE' }),
      );
    return super.republish(envelope, body);
  }
}

describe('events: consumer failure paths (real RabbitMQ and MariaDB)', () => {
  const exchange = uniqueName('t.cfaults');
  let database: { name: string; drop: () => Promise<void> };
  let db: Kysely<Db>;
  let broker: BrokerConnection;
  let publisher: Publisher;
  const consumers: { consumer: EventConsumer<Db>; queue: string }[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('cfaults');
    db = createDb<Db>({ url: TEST_MYSQL_URL, database: database.name });
    await migrateToLatest(db, {
      '0001_processed': processedEventsMigration,
      '0002_dead_letters': deadLettersMigration,
    });
    broker = createBroker(TEST_RABBITMQ_URL, silentLogger, 'consumer-faults-test');
    publisher = broker.createPublisher({ confirm: true, ...exchangeDeclarations(exchange) });
  });

  afterAll(async () => {
    for (const { consumer, queue } of consumers) {
      await consumer.stop();
      await deleteConsumerQueues(broker, queue);
    }
    await publisher.close();
    await broker.queueDelete({ queue: unroutedQueueName(exchange) });
    await broker.exchangeDelete({ exchange });
    await broker.exchangeDelete({ exchange: unroutedQueueName(exchange) });
    await broker.close();
    await db.destroy();
    await database.drop();
  });

  /** A consumer on a queue of its own, bound to one user name's events, started. */
  function consume(
    name: string,
    handler: EventConsumerOptions<Db>['handler'],
    make: (options: EventConsumerOptions<Db>) => EventConsumer<Db> = (o) => new EventConsumer(o),
  ) {
    const queue = uniqueName(`t.cfaults.${name}`);
    const consumer = make({
      db,
      broker,
      logger: process.env.DEBUG_EVENTS ? console : silentLogger,
      exchange,
      queue,
      bindings: ['user.registered'],
      handler,
      maxAttempts: 3,
      retryDelayMs: 20,
      maxRetryDelayMs: 200,
    });
    consumer.start();
    consumers.push({ consumer, queue });
    return { consumer, queue, ready: consumer.ready };
  }

  const registered = (name: string) =>
    createEnvelope('user.registered', { userId: 'u1', email: 'a@b.c', name, role: 'buyer' }, null);

  async function publish(body: object | string): Promise<void> {
    await publisher.send(
      { exchange, routingKey: 'user.registered', durable: true, contentType: 'application/json' },
      typeof body === 'string' ? body : Buffer.from(JSON.stringify(body)),
    );
  }

  it('when the retry publish fails (channel closed), then the rejected delivery comes back through the dead-letter exchange and is handled', async () => {
    const seen: DomainEvent[] = [];
    let failing = 2;
    const { consumer, ready } = consume(
      'dlx',
      async (event) => {
        if (failing-- > 0) throw new Error('not yet');
        seen.push(event);
      },
      (options) => new RetryPublishFails(options, 2),
    );
    await ready;
    const event = registered('dlx');
    await publish(event);
    await waitFor(() => (seen.length > 0 ? seen : undefined), { what: 'the redelivered event' });
    expect(seen.map((e) => e.id)).toEqual([event.id]);
    // Both failures took the rejection path: nothing was republished by the consumer itself.
    expect((consumer as RetryPublishFails).republishCalls).toBe(2);
    expect(await listDeadLetters(db)).not.toContainEqual(
      expect.objectContaining({ eventId: event.id }),
    );
  });

  it('when a handler fails transiently more often than maxAttempts, then it retries until it succeeds and is never parked', async () => {
    let calls = 0;
    const seen: string[] = [];
    const { ready } = consume('transient', async (event) => {
      if (++calls <= 7) throw new TransientEventError('database unreachable');
      seen.push(event.id);
    });
    await ready;
    const event = registered('transient');
    await publish(event);
    await waitFor(() => (seen.length > 0 ? seen : undefined), {
      what: 'delivery after the outage',
    });
    expect(calls).toBe(8);
    expect(seen).toEqual([event.id]);
    expect((await listDeadLetters(db)).some((d) => d.eventId === event.id)).toBe(false);
  });

  it('when the handler keeps hitting lock-wait timeouts (a row held by another transaction), then it retries past maxAttempts, is never parked, and succeeds once the lock goes', async () => {
    await sql`CREATE TABLE IF NOT EXISTS contended (id INT PRIMARY KEY, n INT NOT NULL)`.execute(
      db,
    );
    await sql`INSERT INTO contended VALUES (1, 0) ON DUPLICATE KEY UPDATE n = 0`.execute(db);
    let calls = 0;
    const { ready } = consume('locked', async (_event, trx) => {
      calls++;
      await sql`SET SESSION innodb_lock_wait_timeout = 1`.execute(trx);
      await sql`UPDATE contended SET n = n + 1 WHERE id = 1`.execute(trx);
    });
    await ready;
    // Another transaction holds the row for longer than maxAttempts (3) waits of 1 s.
    let release: () => void = () => undefined;
    const holding = db.transaction().execute(async (trx) => {
      await sql`SELECT n FROM contended WHERE id = 1 FOR UPDATE`.execute(trx);
      await new Promise<void>((resolve) => (release = resolve));
    });
    const event = registered('locked');
    await publish(event);
    await waitFor(() => (calls >= 4 ? true : undefined), {
      what: 'attempts past maxAttempts',
      timeoutMs: 20_000,
    });
    release();
    await holding;
    await waitFor(
      async () => {
        const { rows } = await sql<{ n: number }>`SELECT n FROM contended WHERE id = 1`.execute(db);
        return rows[0]?.n === 1 ? true : undefined;
      },
      { what: 'the update to commit once', timeoutMs: 20_000 },
    );
    expect((await listDeadLetters(db)).some((d) => d.eventId === event.id)).toBe(false);
  });

  it('when a message is no valid event, then it is parked at once with why, and the queue keeps flowing', async () => {
    const seen: string[] = [];
    const { queue, ready } = consume('invalid', async (event) => {
      seen.push(event.id);
    });
    await ready;
    await publish('{not json');
    const good = registered('after-garbage');
    await publish(good);
    await waitFor(() => (seen.includes(good.id) ? true : undefined), { what: 'the good event' });
    const parked = await waitFor(
      async () => (await listDeadLetters(db)).find((d) => d.source === queue),
      { what: 'the parked message' },
    );
    expect(parked).toMatchObject({ attempts: 1, reason: 'invalid envelope: body is not JSON' });
  });

  it('when a poison event is parked after its attempts while others flow, then replaying it after the fix delivers it once', async () => {
    let fixed = false;
    const seen: string[] = [];
    const { queue, ready } = consume('poison', async (event) => {
      if (event.type === 'user.registered' && event.data.name === 'poison' && !fixed)
        throw new Error('cannot handle this one');
      seen.push(event.id);
    });
    await ready;
    const poison = registered('poison');
    await publish(poison);
    const others = Array.from({ length: 20 }, (_, i) => registered(`other-${i}`));
    for (const other of others) await publish(other);

    const parked = await waitFor(
      async () => (await listDeadLetters(db)).find((d) => d.eventId === poison.id),
      { what: 'the parked poison event' },
    );
    expect(parked).toMatchObject({
      source: queue,
      attempts: 3,
      reason: 'Error: cannot handle this one',
    });
    await waitFor(() => (others.every((o) => seen.includes(o.id)) ? true : undefined), {
      what: 'the other events',
    });
    expect(seen).not.toContain(poison.id);

    fixed = true;
    const replayer = broker.createPublisher({ confirm: true });
    try {
      expect(await replayDeadLetter(db, replayer, parked.id)).toBe('replayed');
      await waitFor(() => (seen.includes(poison.id) ? true : undefined), {
        what: 'the replayed event',
      });
      expect(await replayDeadLetter(db, replayer, parked.id)).toBe('already-replayed');
      expect(await replayDeadLetter(db, replayer, '999999999')).toBe('not-found');
    } finally {
      await replayer.close();
    }
    expect(seen.filter((id) => id === poison.id)).toHaveLength(1);
    expect((await listDeadLetters(db)).some((d) => d.id === parked.id)).toBe(false);
    const replayed = (await listDeadLetters(db, { all: true })).find((d) => d.id === parked.id);
    expect(replayed?.replayedAt).toBeInstanceOf(Date);
  });

  it('when dedupe records are older than the retention, then pruning deletes them and only them', async () => {
    const { consumer, queue } = consume('prune', async () => undefined);
    const ids = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'];
    await sql`INSERT INTO processed_events (consumer, event_id, processed_at) VALUES
      (${queue}, ${ids[0]}, CURRENT_TIMESTAMP(3) - INTERVAL 8 DAY),
      (${queue}, ${ids[1]}, CURRENT_TIMESTAMP(3) - INTERVAL 1 HOUR),
      ('someone-else', ${ids[0]}, CURRENT_TIMESTAMP(3) - INTERVAL 8 DAY)`.execute(db);
    expect(await consumer.pruneOnce(7 * 86_400)).toBe(1);
    const { rows } = await sql<{ consumer: string; event_id: string }>`
      SELECT consumer, event_id FROM processed_events
      WHERE consumer IN (${queue}, 'someone-else') ORDER BY consumer`.execute(db);
    expect(rows).toEqual([
      { consumer: 'someone-else', event_id: ids[0] },
      { consumer: queue, event_id: ids[1] },
    ]);
  });
});
