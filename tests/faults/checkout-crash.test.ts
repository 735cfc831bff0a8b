import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_BUYER,
  DEMO_PASSWORD,
  DEMO_SELLERS,
  type CheckoutResult,
  type OrderPage,
  type Product,
  type ProductPage,
  type ReservationBody,
} from '@marketplace/contracts';
import { createDb } from '@marketplace/db';
import { TEST_MYSQL_URL, freePort, waitFor } from '@marketplace/testing';
import { accessTokenOf, checkoutOf, gatewayClient } from '../e2e/client.ts';
import { startStack, type Stack } from '../e2e/stack.ts';

const RESERVATIONS = '/internal/stock/reservations';
/** Headers a forwarding hop must not copy: they describe the hop, not the request. */
const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding']);

/**
 * Stands between order-service and product-service and passes every call, except that, while
 * armed, it holds back product-service's answer to the next reservation: product-service has
 * committed the reservation, order-service has not heard so. That is the window between
 * reservation and commit in which the test kills order-service, hit every time.
 */
class ReservationGate {
  target = '';
  private armed: ((reservation: ReservationBody) => void) | undefined;

  private constructor(
    readonly server: Server,
    readonly url: string,
  ) {}

  static async open(): Promise<ReservationGate> {
    const port = await freePort();
    const server = createServer();
    const gate = new ReservationGate(server, `http://127.0.0.1:${port}`);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      gate.forward(req, res).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return gate;
  }

  /** Resolves with the next reservation once product-service has answered it (and holds that answer). */
  holdNextReservation(): Promise<ReservationBody> {
    return new Promise((resolve) => (this.armed = resolve));
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && !HOP_HEADERS.has(name)) headers[name] = value;
    }
    const answer = await fetch(`${this.target}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      ...(body.length > 0 ? { body } : {}),
    });
    const text = Buffer.from(await answer.arrayBuffer());
    const hold = this.armed;
    if (hold && req.method === 'POST' && req.url === RESERVATIONS && answer.ok) {
      this.armed = undefined;
      hold(JSON.parse(body.toString('utf8')) as ReservationBody);
      return; // never answered: the caller dies waiting
    }
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? '' });
    res.end(text);
  }
}

// "A crash between reservation and commit leaks no stock and shows no half order": order-service
// is SIGKILLed after product-service reserved a checkout's stock and before the orders were
// committed; what gives the stock back is the abandoned-checkout sweep, or the client's retry.
describe('faults: order-service killed between reservation and commit', () => {
  let stack: Stack;
  let gate: ReservationGate;
  let api: ReturnType<typeof gatewayClient>;
  let buyerToken: string;
  let product: Product;
  let orders: Kysely<unknown>;
  let products: Kysely<unknown>;

  beforeAll(async () => {
    gate = await ReservationGate.open();
    stack = await startStack({
      env: {
        'order-service': {
          PRODUCT_SERVICE_URL: gate.url,
          // The sweep and the release loop at a test's pace; the abandon age is the minimum (2 min),
          // which the tests reach by ageing the key instead of waiting.
          SWEEP_INTERVAL_MS: '200',
          RELEASE_RETRY_INTERVAL_MS: '200',
          ABANDONED_CHECKOUT_AFTER_MINUTES: '2',
        },
      },
    });
    gate.target = stack.urls['product-service'];
    orders = createDb({ url: TEST_MYSQL_URL, database: stack.databases['order-service'] });
    products = createDb({ url: TEST_MYSQL_URL, database: stack.databases['product-service'] });
    api = gatewayClient(stack.gatewayUrl);
    buyerToken = await accessTokenOf(api, DEMO_BUYER.email, DEMO_PASSWORD);
    const page = await api.get<ProductPage>(
      `/api/products?sellerId=${DEMO_SELLERS[0].id}&inStock=true&limit=20`,
    );
    product = page.body.items.find((p) => p.stock >= 10)!;
  });

  afterAll(async () => {
    await orders?.destroy();
    await products?.destroy();
    await stack?.stop();
    await gate?.close();
  });

  const stock = async () =>
    (await api.get<Product>(`/api/products/${product.id}`, buyerToken)).body.stock;

  const checkout = (key: string) =>
    checkoutOf<CheckoutResult>(api, buyerToken, product.id, { quantity: 2, key });

  const reservationStatus = async (orderId: string) => {
    const { rows } = await sql<{ status: string }>`
      SELECT status FROM stock_reservations WHERE order_id = ${orderId}`.execute(products);
    return rows[0]?.status;
  };

  /** Lets the key look `seconds` older: the test's stand-in for waiting that long. */
  const ageKey = (checkoutId: string, seconds: number) =>
    sql`UPDATE idempotency_keys SET locked_at = locked_at - INTERVAL ${seconds} SECOND
        WHERE checkout_id = ${checkoutId}`.execute(orders);

  /** The checkout of `key` reserved in product-service, order-service killed before its commit. */
  const crashAfterReservation = async (key: string): Promise<ReservationBody> => {
    const held = gate.holdNextReservation();
    const request = checkout(key);
    const reservation = await held;
    await stack.killService('order-service');
    // The gateway answers the caller whose order-service died: never a 201.
    expect((await request).status).toBeGreaterThanOrEqual(500);
    return reservation;
  };

  const expectNoOrder = async (orderIds: string[]) => {
    const mine = await api.get<OrderPage>('/api/orders?limit=100', buyerToken);
    expect(mine.status).toBe(200);
    expect(mine.body.items.filter((o) => orderIds.includes(o.id))).toEqual([]);
    for (const id of orderIds) {
      expect((await api.get(`/api/orders/${id}`, buyerToken)).status).toBe(404);
    }
  };

  it('when order-service dies after the reservation and the buyer never retries, then no order is visible and the sweep gives the stock back', async () => {
    const before = await stock();
    const reservation = await crashAfterReservation(randomUUID());
    const orderIds = reservation.orders.map((o) => o.orderId);
    // The kill landed in the window: the stock is held, the orders do not exist.
    expect(await reservationStatus(orderIds[0]!)).toBe('reserved');
    expect(await stock()).toBe(before - 2);

    await stack.startService('order-service');
    await expectNoOrder(orderIds);
    await ageKey(reservation.checkoutId, 3 * 60);
    await waitFor(async () => ((await stock()) === before ? true : undefined), {
      timeoutMs: 15_000,
      what: 'the abandoned checkout stock to come back',
    });
    expect(await reservationStatus(orderIds[0]!)).toBe('released');
    await expectNoOrder(orderIds);
  });

  it('when order-service dies after the reservation and the buyer retries with the same key, then one order is placed on the stock reserved once', async () => {
    const before = await stock();
    const key = randomUUID();
    const reservation = await crashAfterReservation(key);
    await stack.startService('order-service');
    // Past the takeover window (60 s), short of the abandon age: the retry finds its key.
    await ageKey(reservation.checkoutId, 90);

    const retried = await checkout(key);
    expect(retried.status).toBe(201);
    expect(retried.body.checkoutId).toBe(reservation.checkoutId);
    expect(retried.body.orders.map((o) => o.id)).toEqual(reservation.orders.map((o) => o.orderId));
    expect(await stock()).toBe(before - 2);
    const placed = await api.get(`/api/orders/${retried.body.orders[0]!.id}`, buyerToken);
    expect(placed.status).toBe(200);
    // Committed orders keep their stock: nothing left for the sweep to give back.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await stock()).toBe(before - 2);
  });
});
