import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import type { Consumer } from 'rabbitmq-client';
import { createDb, migrateToLatest } from '@marketplace/db';
import {
  createTestDatabase,
  silentLogger,
  TcpProxy,
  TEST_MYSQL_URL,
  TEST_RABBITMQ_URL,
  uniqueName,
  waitFor,
} from '@marketplace/testing';
import {
  createBroker,
  enqueueEvent,
  exchangeDeclarations,
  OutboxRelay,
  outboxLeaseMigration,
  outboxMigration,
  unroutedQueueName,
  type BrokerConnection,
} from '../src/index.ts';

type Db = Record<string, never>;

interface Arrival {
  id: string;
  orderId: string;
  seq: number;
}

describe('events: the outbox relay under faults (real RabbitMQ and MariaDB)', () => {
  const exchange = uniqueName('t.rfaults');
  let database: { name: string; drop: () => Promise<void> };
  let db: Kysely<Db>;
  let broker: BrokerConnection;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('rfaults');
    db = createDb<Db>({ url: TEST_MYSQL_URL, database: database.name });
    await migrateToLatest(db, {
      '0001_outbox': outboxMigration,
      '0002_lease': outboxLeaseMigration,
    });
    broker = createBroker(TEST_RABBITMQ_URL, silentLogger, 'relay-faults-test');
    const topology = exchangeDeclarations(exchange);
    for (const e of topology.exchanges) await broker.exchangeDeclare(e);
  });

  beforeEach(async () => {
    await sql`DELETE FROM outbox_events`.execute(db);
    await sql`DELETE FROM outbox_relay_lease`.execute(db);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await broker.queueDelete({ queue: unroutedQueueName(exchange) });
    await broker.exchangeDelete({ exchange });
    await broker.exchangeDelete({ exchange: unroutedQueueName(exchange) });
    await broker.close();
    await db.destroy();
    await database.drop();
  });

  /** A queue of the test's own, bound to every event, recording what arrives in arrival order. */
  async function recorder(options: { maxLength?: number; delayMs?: number } = {}) {
    const queue = uniqueName('t.rfaults.recorder');
    const arrivals: Arrival[] = [];
    const consumer: Consumer = broker.createConsumer(
      {
        queue,
        queueOptions: {
          durable: true,
          arguments: {
            'x-queue-type': 'quorum',
            ...(options.maxLength
              ? { 'x-max-length': options.maxLength, 'x-overflow': 'reject-publish' as const }
              : {}),
          },
        },
        queueBindings: [{ queue, exchange, routingKey: '#' }],
        qos: { prefetchCount: 10 },
        concurrency: 1,
      },
      async (message) => {
        // application/json bodies arrive decoded
        const body = message.body as { id: string; data: { orderId: string; note: string } };
        arrivals.push({ id: body.id, orderId: body.data.orderId, seq: Number(body.data.note) });
        if (options.delayMs) await new Promise((r) => setTimeout(r, options.delayMs));
      },
    );
    cleanups.push(async () => {
      await consumer.close();
      await broker.queueDelete({ queue });
    });
    await new Promise<void>((resolve) => consumer.once('ready', () => resolve()));
    return arrivals;
  }

  function relay(overrides: Partial<ConstructorParameters<typeof OutboxRelay<Db>>[0]> = {}) {
    const r = new OutboxRelay<Db>({
      db,
      broker,
      logger: silentLogger,
      exchange,
      pollIntervalMs: 20,
      leaseMs: 2_000,
      batchSize: 100,
      ...overrides,
    });
    cleanups.push(() => r.stop());
    return r;
  }

  /** `perOrder` status changes for each of `orders` orders, interleaved, in one transaction. */
  async function enqueueOrders(orders: number, perOrder: number): Promise<string[]> {
    const ids = Array.from({ length: orders }, () => randomUUID());
    await db.transaction().execute(async (trx) => {
      for (let seq = 0; seq < perOrder; seq++)
        for (const orderId of ids)
          await enqueueEvent(
            trx,
            'order.status_changed',
            {
              orderId,
              buyerId: 'b',
              sellerId: 's',
              from: 'created',
              to: 'confirmed',
              note: `${seq}`,
            },
            null,
          );
    });
    return ids;
  }

  const publishedCount = async () => {
    const { rows } = await sql<{ n: number | string }>`
      SELECT COUNT(*) AS n FROM outbox_events WHERE published_at IS NOT NULL`.execute(db);
    return Number(rows[0]?.n ?? 0);
  };

  /** Per order, the sequence numbers in the order they first arrived. */
  function firstArrivals(arrivals: Arrival[]): Map<string, number[]> {
    const seen = new Set<string>();
    const byOrder = new Map<string, number[]>();
    for (const a of arrivals) {
      if (seen.has(a.id)) continue;
      seen.add(a.id);
      byOrder.set(a.orderId, [...(byOrder.get(a.orderId) ?? []), a.seq]);
    }
    return byOrder;
  }

  it('when two relays run side by side and the broker refuses some publishes, then every event arrives once and no order sees an event ahead of an earlier one', async () => {
    // A short queue that refuses publishes while full (a nack per refused message), drained slowly.
    const arrivals = await recorder({ maxLength: 40, delayMs: 1 });
    const orders = await enqueueOrders(40, 15);
    const a = relay({ instanceId: 'relay-a' });
    const b = relay({ instanceId: 'relay-b' });
    a.start();
    b.start();
    // Hand over midway: the holder lets go on stop and the other one takes over.
    await waitFor(async () => ((await publishedCount()) >= 150 ? true : undefined), {
      what: 'a first share published',
      timeoutMs: 20_000,
    });
    await (a.isHolder ? a : b).stop();
    await waitFor(() => (new Set(arrivals.map((x) => x.id)).size >= 600 ? true : undefined), {
      what: 'every event',
      timeoutMs: 60_000,
    });

    const { rows } = await sql<{ n: number | string }>`
      SELECT COUNT(*) AS n FROM outbox_events WHERE attempts > 0`.execute(db);
    // The broker did refuse some publishes, so the ordering rule was put to the test.
    expect(Number(rows[0]?.n)).toBeGreaterThan(0);
    // Never the same row from both relays: no event twice.
    expect(arrivals).toHaveLength(600);
    const byOrder = firstArrivals(arrivals);
    const inOrder = Array.from({ length: 15 }, (_, i) => i);
    for (const orderId of orders) expect(byOrder.get(orderId)).toEqual(inOrder);
  }, 90_000);

  it('when the relay process is killed (SIGKILL) mid-batch, then a relay started after it publishes the rest: nothing lost, duplicates at most', async () => {
    const arrivals = await recorder();
    await enqueueOrders(100, 30);
    // The child reaches the broker through a proxy, so the test can stall its publishes in flight.
    const { proxy, url: proxiedUrl } = await TcpProxy.inFrontOf(TEST_RABBITMQ_URL, 5672);
    cleanups.push(() => proxy.cut());
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./fixtures/relay-process.ts', import.meta.url))],
      {
        env: {
          ...process.env,
          MYSQL_URL: TEST_MYSQL_URL,
          DB_NAME: database.name,
          RABBITMQ_URL: proxiedUrl,
          EXCHANGE: exchange,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const exited = new Promise((resolve) => child.once('exit', resolve));
    cleanups.push(async () => {
      child.kill('SIGKILL');
      await exited;
    });
    await waitFor(async () => ((await publishedCount()) >= 200 ? true : undefined), {
      what: 'the child relay to publish',
      timeoutMs: 30_000,
    });
    // Killed while a batch is sent but not confirmed: the moment a relay that marked rows before
    // their confirms came would lose them.
    proxy.pause();
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGKILL');
    await exited;
    await proxy.cut();
    const publishedWhenKilled = await publishedCount();
    expect(publishedWhenKilled).toBeLessThan(3000);

    relay().start();
    await waitFor(async () => ((await publishedCount()) === 3000 ? true : undefined), {
      what: 'the rest published',
      timeoutMs: 30_000,
    });
    await waitFor(() => (new Set(arrivals.map((x) => x.id)).size === 3000 ? true : undefined), {
      what: 'every event delivered',
      timeoutMs: 30_000,
    });
    const { rows } = await sql<{ event_id: string }>`SELECT event_id FROM outbox_events`.execute(
      db,
    );
    expect(new Set(arrivals.map((x) => x.id))).toEqual(new Set(rows.map((r) => r.event_id)));
  }, 90_000);

  it('when the broker is unreachable while the relay holds a batch, then a transaction writing to the outbox does not wait for it', async () => {
    const { proxy, url } = await TcpProxy.inFrontOf(TEST_RABBITMQ_URL, 5672);
    const cut = createBroker(url, silentLogger, 'relay-behind-proxy');
    cleanups.push(() => cut.close());
    cleanups.push(() => proxy.cut());
    const stuck = relay({ broker: cut });
    await enqueueOrders(10, 1);
    // Publish once through the proxy so the relay's channel is set up, then lose the broker.
    await stuck.flushOnce();
    await enqueueOrders(10, 1);
    await proxy.cut();
    // Let the client notice the connection is gone (it then waits for a new one).
    await new Promise((r) => setTimeout(r, 200));

    const events: string[] = [];
    const pass = stuck.flushOnce().then(
      () => events.push('relay pass ended'),
      () => events.push('relay pass ended'),
    );
    await new Promise((r) => setTimeout(r, 300));
    // What a checkout or a registration does: its change and its event in one transaction.
    await db.transaction().execute(async (trx) => {
      await sql`SET SESSION innodb_lock_wait_timeout = 30`.execute(trx);
      await enqueueEvent(
        trx,
        'order.status_changed',
        {
          orderId: randomUUID(),
          buyerId: 'b',
          sellerId: 's',
          from: 'created',
          to: 'confirmed',
          note: '0',
        },
        null,
      );
    });
    events.push('checkout committed');
    await pass;
    expect(events).toEqual(['checkout committed', 'relay pass ended']);
  }, 60_000);
});
