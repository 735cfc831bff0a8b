import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_BUYER,
  DEMO_PASSWORD,
  DEMO_SELLERS,
  type CheckoutResult,
  type NotificationPage,
  type OrderPage,
  type Product,
  type ProductPage,
} from '@marketplace/contracts';
import { TEST_MYSQL_URL, TcpProxy, freePort, waitFor } from '@marketplace/testing';
import { accessTokenOf, checkoutOf, gatewayClient, type Reply } from '../e2e/client.ts';
import { startStack, type Stack } from '../e2e/stack.ts';
import { TestSmtpServer } from '../../notification-service/test/smtp-server.ts';

/** The gateway's settings here: short enough for the suite, long enough for a busy machine. */
const UPSTREAM_TIMEOUT_MS = 2_500;
const CIRCUIT_FAILURE_THRESHOLD = 3;
const CIRCUIT_OPEN_MS = 3_000;
/** An answer "at once": well under the upstream timeout, whatever else the machine is doing. */
const AT_ONCE_MS = 1_500;

/** The request and how long its answer took, in ms. */
async function timed<T>(call: () => Promise<T>): Promise<{ reply: T; ms: number }> {
  const started = performance.now();
  const reply = await call();
  return { reply, ms: performance.now() - started };
}

const isProblem = (reply: Reply) =>
  reply.headers.get('content-type')?.startsWith('application/problem+json') ?? false;

const codeOf = (reply: Reply) => (reply.body as { code?: string } | null)?.code;

// One fault at a time against the real system; each test restores what it broke.
describe('faults: a service, its database, an upstream or the mail server fails', () => {
  let stack: Stack;
  /** The gateway's way to product-service: a hop that can be slowed, as a sick network or node. */
  let productHop: TcpProxy;
  /** order-service's way to MariaDB. */
  let ordersDb: TcpProxy;
  let smtp: TestSmtpServer;
  let api: ReturnType<typeof gatewayClient>;
  let buyerToken: string;
  let product: Product;

  beforeAll(async () => {
    // Listening from the start, so its port stays ours; it learns product-service's port below.
    productHop = new TcpProxy(await freePort(), { host: '127.0.0.1', port: 0 });
    await productHop.open();
    const db = await TcpProxy.inFrontOf(TEST_MYSQL_URL, 3306);
    ordersDb = db.proxy;
    smtp = new TestSmtpServer(await freePort());
    await smtp.start();
    stack = await startStack({
      env: {
        gateway: {
          PRODUCT_SERVICE_URL: `http://127.0.0.1:${productHop.port}`,
          UPSTREAM_TIMEOUT_MS: String(UPSTREAM_TIMEOUT_MS),
          CIRCUIT_FAILURE_THRESHOLD: String(CIRCUIT_FAILURE_THRESHOLD),
          CIRCUIT_OPEN_MS: String(CIRCUIT_OPEN_MS),
        },
        'order-service': { MYSQL_URL: db.url },
        'notification-service': { SMTP_URL: smtp.url },
      },
    });
    // The gateway is ready without product-service (its readiness is the token keys alone).
    productHop.retarget({
      host: '127.0.0.1',
      port: Number(new URL(stack.urls['product-service']).port),
    });
    api = gatewayClient(stack.gatewayUrl);
    buyerToken = await accessTokenOf(api, DEMO_BUYER.email, DEMO_PASSWORD);
    const page = await api.get<ProductPage>(
      `/api/products?sellerId=${DEMO_SELLERS[1].id}&inStock=true&limit=1`,
    );
    expect(page.status).toBe(200);
    product = page.body.items[0]!;
  });

  afterAll(async () => {
    await stack?.stop();
    await productHop?.cut();
    await ordersDb?.cut();
    await smtp?.stop();
  });

  const checkout = (key: string = randomUUID()) =>
    checkoutOf<CheckoutResult>(api, buyerToken, product.id, { key });

  const stockNow = async () => {
    const reply = await api.get<Product>(`/api/products/${product.id}`);
    expect(reply.status).toBe(200);
    return reply.body.stock;
  };

  const buyersOrders = async () =>
    (await api.get<OrderPage>('/api/orders?limit=100', buyerToken)).body.items.map((o) => o.id);

  /** Waits for the gateway's product circuit to close again (a probe after the cool-down). */
  const catalogBack = () =>
    waitFor(
      async () =>
        (await api.get(`/api/products/${product.id}`)).status === 200 ? true : undefined,
      { timeoutMs: 20_000, intervalMs: 200, what: 'the catalog to answer through the gateway' },
    );

  it('when the SMTP server is down, then in-app notifications arrive at once and the mail goes out once it is back', async () => {
    const email = `faults-${randomUUID()}@example.test`;
    // notification-service's log lines of a send that failed (to be retried, or given up on).
    const failedSends = () =>
      stack.logs('notification-service').match(/"msg":"mail (not sent|refused)/g)?.length ?? 0;
    const failuresBefore = failedSends();
    await smtp.stop();
    try {
      const registered = await api.post<{ accessToken: string }>('/api/auth/register', {
        email,
        password: 'a-long-enough-password',
        name: 'Fault Tester',
      });
      expect(registered.status).toBe(201);
      const token = registered.body.accessToken;

      // In-app: the greeting is there within seconds, SMTP or not.
      await waitFor(
        async () => {
          const page = await api.get<NotificationPage>('/api/notifications', token);
          return page.body.items.find((n) => n.type === 'welcome');
        },
        { timeoutMs: 10_000, what: 'the in-app greeting' },
      );
      // The mail was tried, failed, and is waiting for its retry.
      await waitFor(() => (failedSends() > failuresBefore ? true : undefined), {
        timeoutMs: 10_000,
        what: 'a failed send',
      });
      expect(smtp.to(email).length).toBe(0);
    } finally {
      await smtp.start();
    }
    await waitFor(() => (smtp.to(email).length > 0 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: `the mail to ${email}`,
    });
    expect(smtp.to(email).length).toBe(1);
  });

  it("when order-service's database connections are cut, then its /ready says so and it recovers by itself", async () => {
    const ready = async () => {
      const response = await fetch(`${stack.urls['order-service']}/ready`);
      return {
        status: response.status,
        body: (await response.json()) as { checks: Record<string, string> },
      };
    };
    const relayFailures = () =>
      stack.logs('order-service').split('outbox-relay failed; will retry').length;
    const relayFailuresBefore = relayFailures();
    await ordersDb.cut();
    try {
      const down = await waitFor(
        async () => {
          const probe = await ready();
          return probe.status === 503 ? probe : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 200, what: 'order-service to report not ready' },
      );
      expect(down.body.checks.database).toBe('unavailable');
      // Ordering fails as a problem a client may retry; the catalog, which needs no orders
      // database, still browses.
      const refused = await checkout();
      expect(refused.status).toBe(503);
      expect(isProblem(refused)).toBe(true);
      expect(codeOf(refused)).toBe('dependency-unavailable');
      expect(refused.headers.get('retry-after')).toBe('5');
      expect((await api.get('/api/products?limit=1')).status).toBe(200);
      // The outage reached the background work too: the outbox relay failed a pass.
      await waitFor(() => (relayFailures() > relayFailuresBefore ? true : undefined), {
        timeoutMs: 10_000,
        what: 'the outbox relay to fail a pass',
      });
    } finally {
      await ordersDb.open();
    }
    await waitFor(async () => ((await ready()).status === 200 ? true : undefined), {
      timeoutMs: 15_000,
      intervalMs: 200,
      what: 'order-service to be ready again',
    });
    // Not only /ready: checkout works again, and its event leaves through the outbox relay.
    const placed = await checkout();
    expect(placed.status).toBe(201);
    const orderId = placed.body.orders[0]!.id;
    await waitFor(
      async () => {
        const page = await api.get<NotificationPage>('/api/notifications?limit=100', buyerToken);
        return page.body.items.find((n) => n.type === 'order.placed' && n.data.orderId === orderId);
      },
      { timeoutMs: 30_000, what: `the notification of order ${orderId}` },
    );
  });

  it('when product-service turns slow, then its reads time out, its circuit opens, and the other services stay fast', async () => {
    const latencyMs = 4 * UPSTREAM_TIMEOUT_MS;
    productHop.setLatency(latencyMs);
    try {
      const slow = Promise.all(
        Array.from({ length: CIRCUIT_FAILURE_THRESHOLD }, (_, i) =>
          timed(() => api.get(`/api/products?limit=1&n=${i}`)),
        ),
      );
      // While the catalog hangs, the other services answer as usual.
      for (const path of [
        '/api/users/me',
        '/api/orders?limit=1',
        '/api/notifications/unread-count',
      ]) {
        const { reply, ms } = await timed(() => api.get(path, buyerToken));
        expect(reply.status, path).toBe(200);
        expect(ms, path).toBeLessThan(AT_ONCE_MS);
      }
      for (const { reply, ms } of await slow) {
        expect(reply.status).toBe(504);
        expect(isProblem(reply)).toBe(true);
        expect(codeOf(reply)).toBe('upstream-timeout');
        // The gateway's timeout answered, not the slow service.
        expect(ms).toBeLessThan(latencyMs);
      }
      // The circuit is open: the catalog's routes are refused at once instead of waiting.
      const hopConnections = productHop.accepted;
      for (let i = 0; i < 3; i++) {
        const { reply, ms } = await timed(() => api.get(`/api/products/${product.id}`));
        expect(reply.status).toBe(503);
        expect(codeOf(reply)).toBe('service-unavailable');
        expect(ms).toBeLessThan(AT_ONCE_MS);
      }
      expect(productHop.accepted).toBe(hopConnections);
    } finally {
      productHop.setLatency(0);
    }
    await catalogBack();
  });

  it('when product-service is killed, then the gateway answers 503 problems at once, checkout fails cleanly with nothing reserved, and the catalog returns when it restarts', async () => {
    const stockBefore = await stockNow();
    const ordersBefore = await buyersOrders();
    const key = randomUUID();
    await stack.killService('product-service');
    try {
      // Behind its hop a dead service shows as dropped connections: 502s, until its circuit opens.
      for (let i = 0; i < CIRCUIT_FAILURE_THRESHOLD; i++) {
        const { reply, ms } = await timed(() => api.get(`/api/products/${product.id}`));
        expect(reply.status).toBe(502);
        expect(isProblem(reply)).toBe(true);
        expect(ms).toBeLessThan(AT_ONCE_MS);
      }
      // Then 503 at once, without trying the service.
      const hopConnections = productHop.accepted;
      for (let i = 0; i < 3; i++) {
        const { reply, ms } = await timed(() => api.get(`/api/products/${product.id}`));
        expect(reply.status).toBe(503);
        expect(isProblem(reply)).toBe(true);
        expect(codeOf(reply)).toBe('service-unavailable');
        expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(ms).toBeLessThan(AT_ONCE_MS);
      }
      expect(productHop.accepted).toBe(hopConnections);
      // The rest of the site works.
      expect((await api.get('/api/users/me', buyerToken)).status).toBe(200);

      // order-service reaches product-service directly: it is refused, and says so.
      const failed = await checkout(key);
      expect(failed.status).toBe(503);
      expect(isProblem(failed)).toBe(true);
      expect(codeOf(failed)).toBe('catalog-unavailable');
      expect(await buyersOrders()).toEqual(ordersBefore);
    } finally {
      await stack.startService('product-service');
    }
    await catalogBack();
    expect(await stockNow()).toBe(stockBefore);
    // The failed checkout left its key free: the same request now goes through, once.
    const placed = await checkout(key);
    expect(placed.status).toBe(201);
    expect(await stockNow()).toBe(stockBefore - 1);
    expect((await buyersOrders()).length).toBe(ordersBefore.length + 1);
  });
});
