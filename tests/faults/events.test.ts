import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuthSession,
  Category,
  CheckoutResult,
  Notification,
  Order,
  Problem,
  Product,
} from '@marketplace/contracts';
import { createDb } from '@marketplace/db';
import {
  PrivateBroker,
  TEST_MYSQL_URL,
  TcpProxy,
  freePort,
  uniqueName,
  waitFor,
} from '@marketplace/testing';
import { checkoutOf, gatewayClient, type Reply } from '../e2e/client.ts';
import { startStack, type Service, type Stack } from '../e2e/stack.ts';

const OUTAGE_MS = 30_000;
const PASSWORD = 'fault-suite-password-1';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// "Every committed event is delivered, none twice": with a RabbitMQ of the suite's own, stopped
// for 30 s under a steady order load, and with notification-service killed while it consumes.
describe('faults: events across a broker outage and a consumer crash', () => {
  let broker: PrivateBroker;
  let consumerLink: TcpProxy;
  let stack: Stack;
  let api: ReturnType<typeof gatewayClient>;
  let seller: AuthSession;
  let product: Product;
  let notifications: Kysely<unknown>;

  beforeAll(async () => {
    broker = await PrivateBroker.start(await freePort());
    // notification-service reaches the broker through a link the test can stall.
    const front = await TcpProxy.inFrontOf(broker.url, broker.port);
    consumerLink = front.proxy;
    const services: Service[] = ['user-service', 'product-service', 'order-service', 'gateway'];
    const env: Partial<Record<Service, Record<string, string>>> = Object.fromEntries(
      services.map((s) => [s, { RABBITMQ_URL: broker.url }]),
    );
    env['notification-service'] = { RABBITMQ_URL: front.url };
    stack = await startStack({ env });
    api = gatewayClient(stack.gatewayUrl);
    notifications = createDb({
      url: TEST_MYSQL_URL,
      database: stack.databases['notification-service'],
    });
    seller = await register('seller');
    const categories = await api.get<Category[]>('/api/categories');
    const created = await api.post<Product>(
      '/api/products',
      {
        title: 'Fault-suite lantern',
        description: 'Plenty of stock for every order the suite places.',
        priceMinor: 1500,
        currency: 'EUR',
        stock: 100_000,
        categoryId: categories.body[0]!.id,
        images: [],
      },
      seller.accessToken,
    );
    expect(created.status).toBe(201);
    product = created.body;
  });

  afterAll(async () => {
    await notifications?.destroy();
    await stack?.stop();
    await consumerLink?.cut();
    await broker?.destroy();
  });

  async function register(role: 'buyer' | 'seller'): Promise<AuthSession> {
    const reply = await api.post<AuthSession>('/api/auth/register', {
      email: `${uniqueName(role)}@faults.test`,
      password: PASSWORD,
      name: `Fault ${role}`,
      role,
    });
    expect(reply.status).toBe(201);
    return reply.body;
  }

  const order = (buyer: AuthSession) =>
    checkoutOf<CheckoutResult>(api, buyer.accessToken, product.id);

  /** Every item of a paged list, all pages. */
  async function allPages<T>(path: string, token: string): Promise<T[]> {
    const all: T[] = [];
    let cursor = '';
    do {
      const page = await api.get<{ items: T[]; nextCursor: string | null }>(
        `${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        token,
      );
      expect(page.status).toBe(200);
      all.push(...page.body.items);
      cursor = page.body.nextCursor ?? '';
    } while (cursor);
    return all;
  }

  /** How many notifications of `type` each order has, for the orders in `orderIds`. */
  async function countsPerOrder(token: string, type: string, orderIds: string[]) {
    const counts = new Map(orderIds.map((id) => [id, 0]));
    for (const n of await allPages<Notification>('/api/notifications', token)) {
      const id = n.data.orderId;
      if (n.type === type && typeof id === 'string' && counts.has(id))
        counts.set(id, counts.get(id)! + 1);
    }
    return counts;
  }

  /** Waits until every order has a notification of each kind, then checks it has exactly one. */
  async function expectEachToldOnce(buyer: AuthSession, orderIds: string[]) {
    const told = { 'order.placed': buyer.accessToken, 'order.received': seller.accessToken };
    for (const [type, token] of Object.entries(told)) {
      await waitFor(
        async () => {
          const counts = await countsPerOrder(token, type, orderIds);
          return [...counts.values()].every((n) => n >= 1) ? true : undefined;
        },
        { timeoutMs: 45_000, intervalMs: 500, what: `an ${type} notification of every order` },
      );
    }
    // Redeliveries, if any, are on their way by now.
    await sleep(1_500);
    for (const [type, token] of Object.entries(told)) {
      const counts = await countsPerOrder(token, type, orderIds);
      const wrong = [...counts].filter(([, n]) => n !== 1);
      expect(wrong, `${type} notifications per order`).toEqual([]);
    }
  }

  it('when RabbitMQ is stopped for 30 s under a steady order load, then every order is placed or refused cleanly and each placed one is told once after the restart', async () => {
    const buyer = await register('buyer');
    const replies: Reply<CheckoutResult>[] = [];
    let loading = true;
    const load = (async () => {
      while (loading) {
        replies.push(await order(buyer));
        await sleep(400);
      }
    })();

    await sleep(1_000);
    await broker.stop();
    const stoppedAt = Date.now();
    const beforeOutage = replies.length;
    await sleep(OUTAGE_MS);
    const answeredDuringOutage = replies.length - beforeOutage;
    await broker.restart();
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(OUTAGE_MS);
    await sleep(1_000);
    loading = false;
    await load;

    // An order is either placed (201) or refused with a problem: never a hang nor a bare error.
    for (const reply of replies) {
      if (reply.status !== 201)
        expect(typeof (reply.body as unknown as Problem).code, `a ${reply.status} answer`).toBe(
          'string',
        );
    }
    const placed = replies.filter((r) => r.status === 201).map((r) => r.body.orders[0]!.id);
    // Checkout does not need the broker (transactional outbox): the load went on all along.
    expect(placed.length).toBe(replies.length);
    // A loose bound: the machine may be busy, but the load must not have stalled.
    expect(answeredDuringOutage).toBeGreaterThanOrEqual(5);
    const mine = await allPages<Order>('/api/orders', buyer.accessToken);
    expect(mine.map((o) => o.id).sort()).toEqual([...placed].sort());

    await expectEachToldOnce(buyer, placed);
  });

  it('when notification-service is killed while it consumes, then every order is told once after its restart', async () => {
    const buyer = await register('buyer');
    const total = 120;
    // A backlog first, so that the kill finds a burst of deliveries in flight.
    consumerLink.pause();
    const placed: string[] = [];
    for (let batch = 0; batch < total / 10; batch++) {
      const replies = await Promise.all(Array.from({ length: 10 }, () => order(buyer)));
      for (const reply of replies) {
        expect(reply.status).toBe(201);
        placed.push(reply.body.orders[0]!.id);
      }
    }
    const stored = async () => {
      const { rows } = await sql<{ n: number | string }>`
        SELECT COUNT(*) AS n FROM notifications
        WHERE user_id = ${buyer.user.id} AND type = 'order.placed'`.execute(notifications);
      return Number(rows[0]?.n ?? 0);
    };
    consumerLink.resume();
    await waitFor(async () => ((await stored()) >= 10 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 10,
      what: 'the consumer to be under way',
    });
    // The link stalls, then the process dies: the deliveries it was handling are committed but
    // their acks never reach the broker, which hands them out again after the restart.
    consumerLink.pause();
    await sleep(500);
    await stack.killService('notification-service');
    const storedAtKill = await stored();
    expect(storedAtKill).toBeLessThan(total);
    await consumerLink.cut();
    await consumerLink.open();
    await stack.startService('notification-service');

    await expectEachToldOnce(buyer, placed);
  });
});
