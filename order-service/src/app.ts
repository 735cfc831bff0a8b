import { prepareDatabase, serviceDatabase } from '@marketplace/db';
import { startEventPublisher, type Logger } from '@marketplace/events';
import { verifierFromConfig, type AccessTokenVerifier } from '@marketplace/jwt';
import { createServiceApp, type ServiceApp } from '@marketplace/service-kit';
import { migrations } from '../migrations/index.ts';
import { createProductClient } from './clients/product.client.ts';
import type { Config } from './config.ts';
import type { DB } from './data/schema.ts';
import { CheckoutService } from './domain/checkout/checkout.service.ts';
import { IdempotencySweep } from './domain/checkout/abandoned-checkout.sweep.ts';
import { OrderService } from './domain/order.service.ts';
import { StockReleases } from './domain/release.service.ts';
import { registerOrderRoutes } from './routes/order.routes.ts';

export interface AppDeps {
  verifier?: AccessTokenVerifier;
  logger?: boolean;
}

/** Everything before buildApp at start: the database and its migrations. */
export async function prepare(config: Config, logger: Logger): Promise<void> {
  await prepareDatabase({ url: config.MYSQL_URL, database: config.DB_NAME }, migrations);
  logger.info({ database: config.DB_NAME }, 'database ready');
}

export async function buildApp(config: Config, deps: AppDeps = {}): Promise<{ app: ServiceApp }> {
  const database = serviceDatabase<DB>({ url: config.MYSQL_URL, database: config.DB_NAME });
  const { db } = database;
  const app = await createServiceApp({
    name: 'order-service',
    description: 'Checkout, orders, statuses and their history; publishes order events.',
    config,
    logger: deps.logger,
    unavailable: database.isUnavailable,
    readiness: { database: database.ready, broker: () => events.ping() },
  });
  database.observe(app.metrics);
  const events = startEventPublisher('order-service', db, config, app);
  const catalog = createProductClient({
    baseUrl: config.PRODUCT_SERVICE_URL,
    internalToken: config.INTERNAL_TOKEN,
    timeoutMs: config.PRODUCT_SERVICE_TIMEOUT_MS,
  });
  const releases = new StockReleases({
    db,
    catalog,
    logger: app.log,
    intervalMs: config.RELEASE_RETRY_INTERVAL_MS,
    registry: app.metrics,
  });
  const sweep = new IdempotencySweep({
    db,
    logger: app.log,
    keyTtlMs: config.IDEMPOTENCY_KEY_TTL_HOURS * 3_600_000,
    abandonAfterMs: config.ABANDONED_CHECKOUT_AFTER_MINUTES * 60_000,
    intervalMs: config.SWEEP_INTERVAL_MS,
    registry: app.metrics,
  });
  const eventsCommitted = () => events.nudge();
  const verifier = deps.verifier ?? verifierFromConfig(config);

  registerOrderRoutes(app, {
    verifier,
    checkout: new CheckoutService({ db, catalog, releases, logger: app.log, eventsCommitted }),
    orders: new OrderService({ db, releases, eventsCommitted }),
  });

  releases.start();
  sweep.start();
  app.addHook('onClose', async () => {
    await sweep.stop();
    await releases.stop();
    await events.close();
    await db.destroy();
  });
  return { app };
}
