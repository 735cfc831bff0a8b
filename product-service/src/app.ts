import { CategorySchema } from '@marketplace/contracts';
import { prepareDatabase, serviceDatabase } from '@marketplace/db';
import { startEventPublisher, type Logger } from '@marketplace/events';
import { verifierFromConfig, type AccessTokenVerifier } from '@marketplace/jwt';
import { AppError, createServiceApp, type ServiceApp } from '@marketplace/service-kit';
import { migrations } from '../migrations/index.ts';
import type { Config } from './config.ts';
import type { DB } from './data/schema.ts';
import { seedCategories, seedDemoCatalog } from './demo/seed.ts';
import type { ProductsChanged } from './domain/catalog-changes.ts';
import { CatalogService } from './domain/catalog.service.ts';
import { CategoryService } from './domain/category.service.ts';
import { ProductService } from './domain/product.service.ts';
import { StockService } from './domain/stock.service.ts';
import { createUserConsumer } from './events/user.consumer.ts';
import { registerConditionalGet } from './http/conditional.ts';
import { createCatalogCaches } from './http/catalog-caches.ts';
import { startIndexEvents } from './indexing/index-events.ts';
import { IndexFeed } from './indexing/index-feed.ts';
import { registerCategoryRoutes } from './routes/category.routes.ts';
import { registerInternalRoutes } from './routes/internal.routes.ts';
import { registerProductRoutes } from './routes/product.routes.ts';
import { createCatalogIndex } from './search/catalog-index.ts';

export interface AppDeps {
  /** Tests pass `createTestTokens().verifier`; otherwise user-service's JWKS is used. */
  verifier?: AccessTokenVerifier;
  logger?: boolean;
}

/**
 * Everything before buildApp at start (idempotent): the database, its migrations, the category
 * tree, and the demo catalog when SEED_DEMO (fixed ids, existing rows kept).
 */
export async function prepare(config: Config, logger: Logger): Promise<void> {
  await prepareDatabase<DB>(
    { url: config.MYSQL_URL, database: config.DB_NAME },
    migrations,
    async (db) => {
      if (!config.SEED_DEMO) return seedCategories(db);
      await seedDemoCatalog(db);
      logger.info({ database: config.DB_NAME }, 'demo catalog seeded');
    },
  );
  logger.info({ database: config.DB_NAME }, 'database ready');
}

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<{ app: ServiceApp }> {
  const database = serviceDatabase<DB>({ url: config.MYSQL_URL, database: config.DB_NAME });
  const { db } = database;
  const verifier = deps.verifier ?? verifierFromConfig(config);
  const index = createCatalogIndex();
  const app = await createServiceApp({
    name: 'product-service',
    description: 'Catalog, categories, search, filters and stock',
    config,
    logger: deps.logger,
    unavailable: database.isUnavailable,
    readiness: {
      database: database.ready,
      broker: () => events.ping(),
      // A replica whose index is still being built would answer searches with nothing.
      search: async () => {
        if (!feed.built) throw AppError.unavailable('search-warming-up', 'index being built');
      },
    },
  });
  database.observe(app.metrics);
  const events = startEventPublisher('product-service', db, config, app);
  const caches = createCatalogCaches(db, app.metrics);
  const feed = new IndexFeed({
    db,
    index,
    logger: app.log,
    registry: app.metrics,
    // Whatever reached the index (this replica's writes, others' events, the catch-up scan)
    // invalidates what was served from before it.
    onChange: (ids) => caches.productsChanged(ids),
  });
  const indexEvents = startIndexEvents({
    broker: events.broker,
    exchange: config.EVENTS_EXCHANGE,
    queuePrefix: config.EVENTS_QUEUE,
    index,
    logger: app.log,
    refresh: (ids) => feed.refresh(ids),
  });
  const consumer = createUserConsumer({
    broker: events.broker,
    db,
    logger: app.log,
    exchange: config.EVENTS_EXCHANGE,
    queue: config.EVENTS_QUEUE,
    registry: app.metrics,
    // A renamed shop changes what its listings show, though not what the index holds.
    renamed: () => caches.everything(),
  });

  const changed: ProductsChanged = async (ids) => {
    events.nudge();
    // The write is committed: an index that cannot follow now catches up on its next scan.
    await feed.refresh(ids).catch((error: unknown) => {
      app.log.warn({ err: error }, 'index refresh after a write failed');
    });
  };

  // Started once the app is ready: by then prepare has migrated the database. The index builds
  // in the background; /ready says when it is done.
  app.addHook('onReady', async () => {
    consumer.start();
    feed.start().catch((error: unknown) => app.log.error({ err: error }, 'search index build'));
  });
  app.addHook('onClose', async () => {
    await consumer.stop();
    await indexEvents.stop();
    await feed.stop();
    await events.close();
    await db.destroy();
  });
  app.addSchema(CategorySchema);
  registerConditionalGet(app);

  const catalog = new CatalogService({
    db,
    index,
    indexReady: () => feed.built,
    categoryRecords: caches.categoryRecords,
    productById: caches.productById,
  });
  registerProductRoutes(app, {
    catalog,
    listings: caches.listings,
    products: new ProductService(db, changed),
    verifier,
  });
  registerCategoryRoutes(app, {
    catalog,
    categories: new CategoryService(db, () => caches.everything()),
    verifier,
  });
  registerInternalRoutes(app, {
    stock: new StockService(db, changed),
    internalToken: config.INTERNAL_TOKEN,
  });
  return { app };
}
