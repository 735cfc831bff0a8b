import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { createDb } from '@marketplace/db';
import {
  createBroker,
  deleteConsumerQueues,
  exchangeDeclarations,
  parseEvent,
  unroutedQueueName,
  type BrokerConnection,
} from '@marketplace/events';
import type { DomainEvent, Product, Role } from '@marketplace/contracts';
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
import {
  buildApp as buildProductApp,
  prepare as prepareProducts,
} from '@marketplace/product-service/app';
import { loadConfig as loadProductConfig } from '@marketplace/product-service/config';
import { buildApp, prepare } from '../src/app.ts';
import { createProductClient } from '../src/clients/product.client.ts';
import { loadConfig } from '../src/config.ts';
import type { DB } from '../src/data/schema.ts';
import { fingerprint } from '../src/domain/checkout/checkout-fingerprint.ts';
import type { ProductCatalog } from '../src/domain/product-catalog.port.ts';

const INTERNAL_TOKEN = 'order-tests-internal-token';

export interface User {
  id: string;
  role: Role;
  auth: string;
}

/**
 * order-service against the real product-service (listening on a free port, its own database),
 * real MariaDB and RabbitMQ; events land on a queue bound to the suite's own exchange.
 */
export class Harness {
  readonly events: DomainEvent[] = [];
  tokens!: TestTokens;
  products!: ServiceApp;
  orders!: ServiceApp;
  db!: Kysely<DB>;
  productUrl = '';
  dbName = '';
  private readonly exchange = uniqueName('t.orders.events');
  private readonly queue = uniqueName('t.orders.events.probe');
  private readonly cleanups: (() => Promise<unknown>)[] = [];
  private broker!: BrokerConnection;
  private categoryId = '';

  async start(): Promise<void> {
    this.tokens = await createTestTokens();
    await this.startProductService();
    await this.listenForEvents();
    const database = await createTestDatabase('orders');
    this.cleanups.push(() => database.drop());
    this.dbName = database.name;
    this.orders = await this.orderApp(database.name, this.productUrl);
    this.db = createDb<DB>({ url: TEST_MYSQL_URL, database: database.name, poolSize: 2 });
    this.cleanups.push(() => this.db.destroy());
  }

  /**
   * Another order-service instance on the same database, e.g. one whose catalog is down; its
   * retry loop for owed releases is slowed so that the suite's main instance does them.
   */
  async orderApp(database: string, productUrl: string, retryMs = 100): Promise<ServiceApp> {
    const config = loadConfig({
      MYSQL_URL: TEST_MYSQL_URL,
      DB_NAME: database,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
      EVENTS_EXCHANGE: this.exchange,
      PRODUCT_SERVICE_URL: productUrl,
      PRODUCT_SERVICE_TIMEOUT_MS: '2000',
      INTERNAL_TOKEN,
      RELEASE_RETRY_INTERVAL_MS: String(retryMs),
      // Tests sweep when they choose to, with sweeps of their own.
      SWEEP_INTERVAL_MS: '3600000',
      LOG_LEVEL: 'silent',
    });
    await prepare(config, silentLogger);
    const { app } = await buildApp(config, { verifier: this.tokens.verifier, logger: false });
    await app.ready();
    this.cleanups.push(() => app.close());
    return app;
  }

  async stop(): Promise<void> {
    for (const cleanup of this.cleanups.reverse()) {
      await cleanup().catch(() => undefined);
    }
  }

  async user(role: Role): Promise<User> {
    const id = randomUUID();
    return { id, role, auth: await this.tokens.bearer(id, role) };
  }

  async createProduct(seller: User, over: Partial<Product> = {}): Promise<Product> {
    const response = await this.products.inject({
      method: 'POST',
      url: '/api/products',
      headers: { authorization: seller.auth },
      payload: {
        title: over.title ?? `Product ${randomUUID().slice(0, 8)}`,
        description: 'made for an order-service test',
        priceMinor: over.priceMinor ?? 1999,
        currency: over.currency ?? 'EUR',
        stock: over.stock ?? 10,
        categoryId: this.categoryId,
        images: [],
      },
    });
    if (response.statusCode !== 201) throw new Error(`product not created: ${response.body}`);
    return response.json<Product>();
  }

  async stockOf(productId: string): Promise<number> {
    const response = await this.products.inject({
      method: 'GET',
      url: `/api/products/${productId}`,
    });
    return response.json<Product>().stock;
  }

  async changeProduct(seller: User, productId: string, patch: Record<string, unknown>) {
    const response = await this.products.inject({
      method: 'PATCH',
      url: `/api/products/${productId}`,
      headers: { authorization: seller.auth },
      payload: patch,
    });
    if (response.statusCode !== 200) throw new Error(`product not changed: ${response.body}`);
  }

  /** A seller's stock adjustment: atomic, as product-service takes stock changes. */
  async adjustStock(seller: User, productId: string, delta: number) {
    const response = await this.products.inject({
      method: 'POST',
      url: `/api/products/${productId}/stock`,
      headers: { authorization: seller.auth },
      payload: { delta },
    });
    if (response.statusCode !== 200) throw new Error(`stock not adjusted: ${response.body}`);
  }

  /** What a checkout that crashed after reserving leaves behind in product-service. */
  async reserveDirectly(checkoutId: string, orderId: string, productId: string, quantity: number) {
    const response = await this.products.inject({
      method: 'POST',
      url: '/internal/stock/reservations',
      headers: { 'x-internal-token': INTERNAL_TOKEN },
      payload: { checkoutId, orders: [{ orderId, items: [{ productId, quantity }] }] },
    });
    if (response.statusCode !== 200) throw new Error(`not reserved: ${response.body}`);
  }

  /** product-service's internal API, as order-service calls it. */
  catalog(): ProductCatalog {
    return createProductClient({
      baseUrl: this.productUrl,
      internalToken: INTERNAL_TOKEN,
      timeoutMs: 2000,
    });
  }

  /**
   * An in-flight key as a checkout that died (or is still running) leaves it; `orderIds` are those
   * it noted before reserving.
   */
  async inFlightKey(
    userId: string,
    key: string,
    body: unknown,
    checkoutId: string,
    ageMs: number,
    orderIds: string[] | null = null,
  ) {
    const lockedAt = new Date(Date.now() - ageMs);
    await this.db
      .insertInto('idempotency_keys')
      .values({
        user_id: userId,
        idem_key: key,
        fingerprint: fingerprint(body),
        checkout_id: checkoutId,
        order_ids: orderIds && JSON.stringify(orderIds),
        lock_id: randomUUID(),
        status: 'in_flight',
        response_status: null,
        response_body: null,
        locked_at: lockedAt,
        created_at: lockedAt,
      })
      .execute();
  }

  /** Makes a key look claimed `ageMs` ago, as time passing would. */
  async ageKey(userId: string, key: string, ageMs: number): Promise<void> {
    const lockedAt = new Date(Date.now() - ageMs);
    await this.db
      .updateTable('idempotency_keys')
      .set({ locked_at: lockedAt, created_at: lockedAt })
      .where('user_id', '=', userId)
      .where('idem_key', '=', key)
      .execute();
  }

  event(type: DomainEvent['type'], orderId: string, to?: string): Promise<DomainEvent> {
    return waitFor(
      () =>
        this.events.find(
          (e) =>
            e.type === type &&
            'orderId' in e.data &&
            e.data.orderId === orderId &&
            (to === undefined || ('to' in e.data && e.data.to === to)),
        ),
      { what: `${type} for ${orderId}` },
    );
  }

  async count(
    table: 'orders' | 'idempotency_keys' | 'outbox_events' | 'pending_releases',
  ): Promise<number> {
    const { rows } = await sql<{
      n: number;
    }>`SELECT COUNT(*) AS n FROM ${sql.table(table)}`.execute(this.db);
    return Number(rows[0]?.n);
  }

  private async startProductService(): Promise<void> {
    const database = await createTestDatabase('orders_products');
    this.cleanups.push(() => database.drop());
    // product-service consumes user.updated: on the suite's exchange, from a queue of its own.
    const queue = uniqueName('t.orders.products');
    this.cleanups.push(async () => {
      const broker = createBroker(TEST_RABBITMQ_URL, silentLogger, 'order-tests-cleanup');
      await deleteConsumerQueues(broker, queue);
      await broker.close();
    });
    const config = loadProductConfig({
      MYSQL_URL: TEST_MYSQL_URL,
      DB_NAME: database.name,
      RABBITMQ_URL: TEST_RABBITMQ_URL,
      EVENTS_EXCHANGE: this.exchange,
      EVENTS_QUEUE: queue,
      INTERNAL_TOKEN,
      LOG_LEVEL: 'silent',
    });
    // prepare adds the category tree; no demo products are needed here (SEED_DEMO is off).
    await prepareProducts(config, silentLogger);
    const { app } = await buildProductApp(config, {
      verifier: this.tokens.verifier,
      logger: false,
    });
    this.products = app;
    this.cleanups.push(() => app.close());
    const port = await freePort();
    await app.listen({ port, host: '127.0.0.1' });
    this.productUrl = `http://127.0.0.1:${port}`;
    const categories = await app.inject({ method: 'GET', url: '/api/categories' });
    const first = categories.json<{ id: string }[]>()[0];
    if (!first) throw new Error('product-service made no category');
    this.categoryId = first.id;
  }

  private async listenForEvents(): Promise<void> {
    this.broker = createBroker(TEST_RABBITMQ_URL, silentLogger, 'order-tests');
    const topology = exchangeDeclarations(this.exchange);
    const consumer = this.broker.createConsumer(
      {
        queue: this.queue,
        queueOptions: { exclusive: true, autoDelete: true },
        exchanges: topology.exchanges,
        queueBindings: [{ queue: this.queue, exchange: this.exchange, routingKey: 'order.*' }],
      },
      (message) => {
        const parsed = parseEvent(message.body);
        if ('event' in parsed) this.events.push(parsed.event);
      },
    );
    let ready = false;
    consumer.once('ready', () => {
      ready = true;
    });
    await waitFor(() => (ready ? true : undefined), { what: 'the probe queue' });
    this.cleanups.push(async () => {
      await consumer.close();
      await this.broker.queueDelete({ queue: unroutedQueueName(this.exchange) });
      await this.broker.exchangeDelete({ exchange: this.exchange });
      await this.broker.exchangeDelete({ exchange: unroutedQueueName(this.exchange) });
      await this.broker.close();
    });
  }
}

export const address = {
  name: 'Ada Buyer',
  line1: '1 Test Street',
  city: 'Berlin',
  postalCode: '10115',
  country: 'DE',
};
