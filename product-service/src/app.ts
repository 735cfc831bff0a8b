import { CategorySchema } from '@marketplace/contracts';
import { createDb, pingDb, prepareDatabase } from '@marketplace/db';
import { createBroker, pingBroker, type Logger } from '@marketplace/events';
import { verifierFromConfig, type AccessTokenVerifier } from '@marketplace/jwt';
import { createServiceApp, type ServiceApp } from '@marketplace/service-kit';
import { migrations } from '../migrations/index.ts';
import type { Config } from './config.ts';
import type { DB } from './data/schema.ts';
import { seedCategories, seedDemoCatalog } from './demo/seed.ts';
import { CatalogService } from './domain/catalog.service.ts';
import { ProductService } from './domain/product.service.ts';
import { StockService } from './domain/stock.service.ts';
import { createUserConsumer } from './events/user.consumer.ts';
import { registerCategoryRoutes } from './routes/category.routes.ts';
import { registerInternalRoutes } from './routes/internal.routes.ts';
import { registerProductRoutes } from './routes/product.routes.ts';

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
  const db = createDb<DB>({ url: config.MYSQL_URL, database: config.DB_NAME });
  const verifier = deps.verifier ?? verifierFromConfig(config);
  const app = await createServiceApp({
    name: 'product-service',
    description: 'Catalog, categories, search, filters and stock',
    config,
    logger: deps.logger,
    readiness: { database: () => pingDb(db), broker: () => pingBroker(broker) },
  });
  const broker = createBroker(config.RABBITMQ_URL, app.log, 'product-service');
  const consumer = createUserConsumer({
    broker,
    db,
    logger: app.log,
    exchange: config.EVENTS_EXCHANGE,
    queue: config.EVENTS_QUEUE,
  });
  // Started once the app is ready: by then prepare has migrated the database.
  app.addHook('onReady', async () => consumer.start());
  app.addHook('onClose', async () => {
    await consumer.stop();
    await broker.close();
    await db.destroy();
  });
  app.addSchema(CategorySchema);

  const catalog = new CatalogService(db);
  registerProductRoutes(app, { catalog, products: new ProductService(db), verifier });
  registerCategoryRoutes(app, catalog);
  registerInternalRoutes(app, {
    stock: new StockService(db),
    internalToken: config.INTERNAL_TOKEN,
  });
  return { app };
}
