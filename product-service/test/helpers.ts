import type { Product, ProductBody, ProductPage } from '@marketplace/contracts';
import type { ServiceApp } from '@marketplace/service-kit';
import {
  createBroker,
  deleteConsumerQueues,
  exchangeDeclarations,
  unroutedQueueName,
} from '@marketplace/events';
import {
  createTestDatabase,
  createTestTokens,
  silentLogger,
  TEST_MYSQL_URL,
  TEST_RABBITMQ_URL,
  uniqueName,
  waitFor,
  type TestTokens,
} from '@marketplace/testing';
import { DEMO_CATEGORIES } from '../src/demo/catalog.ts';
import { buildApp, prepare } from '../src/app.ts';
import { loadConfig, type Config } from '../src/config.ts';

export const INTERNAL_TOKEN = 'test-internal-token';
export const internalHeaders = { 'x-internal-token': INTERNAL_TOKEN };

export interface TestService {
  app: ServiceApp;
  tokens: TestTokens;
  config: Config;
  close(): Promise<void>;
}

/**
 * product-service on a database of its own, migrated and seeded with the demo catalog, consuming
 * from an exchange and queue of its own.
 */
export async function startTestService(prefix: string): Promise<TestService> {
  const database = await createTestDatabase(prefix);
  const config = loadConfig({
    MYSQL_URL: TEST_MYSQL_URL,
    DB_NAME: database.name,
    RABBITMQ_URL: TEST_RABBITMQ_URL,
    EVENTS_EXCHANGE: uniqueName(`t.${prefix}.events`),
    EVENTS_QUEUE: uniqueName(`t.${prefix}.queue`),
    INTERNAL_TOKEN,
    SEED_DEMO: 'true',
  });
  await prepare(config, silentLogger);
  const tokens = await createTestTokens();
  const { app } = await buildApp(config, { verifier: tokens.verifier, logger: false });
  await untilReady(app);
  return {
    app,
    tokens,
    config,
    close: async () => {
      await app.close();
      await removeBrokerTopology(config);
      await database.drop();
    },
  };
}

/** Deletes the suite's queues and exchanges (declared by the consumer or by a test publisher). */
async function removeBrokerTopology(config: Config): Promise<void> {
  const broker = createBroker(TEST_RABBITMQ_URL, silentLogger, 'product-tests-cleanup');
  try {
    await deleteConsumerQueues(broker, config.EVENTS_QUEUE);
    await broker.queueDelete({ queue: unroutedQueueName(config.EVENTS_EXCHANGE) });
    for (const { exchange } of exchangeDeclarations(config.EVENTS_EXCHANGE).exchanges) {
      await broker.exchangeDelete({ exchange });
    }
  } finally {
    await broker.close();
  }
}

export function categoryId(slug: string): string {
  const category = DEMO_CATEGORIES.find((c) => c.slug === slug);
  if (!category) throw new Error(`no demo category ${slug}`);
  return category.id;
}

export function productBody(overrides: Partial<ProductBody> = {}): ProductBody {
  return {
    title: 'Test Lantern',
    description: 'A lantern made for tests.',
    priceMinor: 1500,
    currency: 'EUR',
    stock: 10,
    categoryId: categoryId('camping'),
    images: ['/demo/beacon-400-headlamp.svg'],
    ...overrides,
  };
}

/** Lists a product through the public API as `sellerId`, whose token carries `sellerName`. */
export async function createProduct(
  service: TestService,
  sellerId: string,
  overrides: Partial<ProductBody> = {},
  sellerName?: string,
): Promise<Product> {
  const response = await service.app.inject({
    method: 'POST',
    url: '/api/products',
    headers: { authorization: await service.tokens.bearer(sellerId, 'seller', sellerName) },
    payload: productBody(overrides),
  });
  if (response.statusCode !== 201) {
    throw new Error(`create failed: ${response.statusCode} ${response.body}`);
  }
  return response.json<Product>();
}

/** GET /api/products with `query`; fails the test on anything but 200. */
export async function listProducts(
  service: TestService,
  query: Record<string, string | number | boolean>,
): Promise<ProductPage> {
  const response = await service.app.inject({
    method: 'GET',
    url: '/api/products',
    query: Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)])),
  });
  if (response.statusCode !== 200) {
    throw new Error(`list failed: ${response.statusCode} ${response.body}`);
  }
  return response.json<ProductPage>();
}

/** Every page of a listing, following nextCursor to the end. */
export async function walkAllPages(
  service: TestService,
  query: Record<string, string | number | boolean>,
): Promise<Product[]> {
  const items: Product[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages++) {
    const page: ProductPage = await listProducts(service, cursor ? { ...query, cursor } : query);
    items.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) return items;
  }
  throw new Error('more than 100 pages: the cursor does not advance');
}

/** Waits for /ready: the search index is built in the background after start. */
export async function untilReady(app: ServiceApp): Promise<void> {
  await waitFor(
    async () =>
      (await app.inject({ method: 'GET', url: '/ready' })).statusCode === 200 || undefined,
    { what: 'product-service /ready' },
  );
}
