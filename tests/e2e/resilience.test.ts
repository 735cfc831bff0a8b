import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEMO_BUYER,
  DEMO_PASSWORD,
  DEMO_SELLERS,
  type CheckoutResult,
  type NotificationPage,
  type ProductPage,
  type Product,
} from '@marketplace/contracts';
import { TcpProxy, waitFor } from '@marketplace/testing';
import { startStack, type Stack } from './stack.ts';
import { accessTokenOf, checkoutOf, gatewayClient } from './client.ts';

const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

// "Nothing acknowledged is ever lost": an order accepted while its events cannot travel still
// reaches the buyer once they can.
describe('resilience: orders and events survive outages', () => {
  let stack: Stack;
  let proxy: TcpProxy;
  let api: ReturnType<typeof gatewayClient>;
  let buyerToken: string;
  let product: Product;

  beforeAll(async () => {
    const front = await TcpProxy.inFrontOf(RABBITMQ_URL, 5672);
    proxy = front.proxy;
    stack = await startStack({ env: { 'order-service': { RABBITMQ_URL: front.url } } });
    api = gatewayClient(stack.gatewayUrl);
    buyerToken = await accessTokenOf(api, DEMO_BUYER.email, DEMO_PASSWORD);
    const page = await api.get<ProductPage>(
      `/api/products?sellerId=${DEMO_SELLERS[1].id}&inStock=true&limit=1`,
    );
    product = page.body.items[0]!;
  });

  afterAll(async () => {
    await stack?.stop();
    await proxy?.cut();
  });

  const order = () => checkoutOf<CheckoutResult>(api, buyerToken, product.id);

  const notifiedOf = (orderId: string) =>
    waitFor(
      async () => {
        const reply = await api.get<NotificationPage>('/api/notifications?limit=100', buyerToken);
        return reply.body.items.find(
          (n) => n.type === 'order.placed' && n.data.orderId === orderId,
        );
      },
      { timeoutMs: 30_000, what: `the notification of order ${orderId}` },
    );

  it('when the broker is unreachable for order-service, then orders are still taken and their events follow later', async () => {
    await proxy.cut();
    const placed = await order();
    expect(placed.status).toBe(201);
    const orderId = placed.body.orders[0]!.id;
    await proxy.open();
    await notifiedOf(orderId);
  });

  it('when notification-service is down, then events queue up and are delivered once it is back', async () => {
    await stack.stopService('notification-service');
    const placed = await order();
    expect(placed.status).toBe(201);
    // the catalog still browses with a service down
    expect((await api.get('/api/products?limit=1')).status).toBe(200);
    await stack.startService('notification-service');
    await notifiedOf(placed.body.orders[0]!.id);
  });

  it('when order-service is down, then the catalog still browses and ordering fails cleanly', async () => {
    await stack.stopService('order-service');
    expect((await api.get('/api/products?limit=1')).status).toBe(200);
    const placed = await order();
    expect(placed.status).toBeGreaterThanOrEqual(502);
    expect(placed.status).toBeLessThanOrEqual(504);
    await stack.startService('order-service');
    expect((await order()).status).toBe(201);
  });
});
