import { createDb, pingDb, prepareDatabase, withDb } from '@marketplace/db';
import { verifierFromConfig, type AccessTokenVerifier } from '@marketplace/jwt';
import { createServiceApp, type ServiceApp } from '@marketplace/service-kit';
import { migrations } from '../migrations/index.ts';
import type { ProductConfig } from './config.ts';
import { CategoryRepository } from './data/category.repository.ts';
import { ProductSearchRepository } from './data/product-search.repository.ts';
import { ProductRepository } from './data/product.repository.ts';
import type { ProductDb } from './data/schema.ts';
import { StockRepository } from './data/stock.repository.ts';
import { seedCategories, seedDemoCatalog } from './demo/seed.ts';
import { CatalogService } from './domain/catalog.service.ts';
import { ProductService } from './domain/product.service.ts';
import { StockService } from './domain/stock.service.ts';
import { registerCategoryRoutes } from './routes/category.routes.ts';
import { registerInternalRoutes } from './routes/internal.routes.ts';
import { registerProductRoutes } from './routes/product.routes.ts';
import { CategorySchema } from './routes/schemas.ts';

export interface ProductAppDeps {
  /** Tests pass `createTestTokens().verifier`; otherwise user-service's JWKS is used. */
  verifier?: AccessTokenVerifier;
  logger?: boolean;
}

/** Creates the service's schema when missing, applies pending migrations, adds the categories. */
export async function setupDatabase(config: ProductConfig): Promise<void> {
  await prepareDatabase<ProductDb>(dbOptions(config), migrations, seedCategories);
}

/** Seeds the demo categories and products (idempotent: fixed ids, existing rows kept). */
export async function seedDemoData(config: ProductConfig): Promise<void> {
  await withDb<ProductDb, void>(dbOptions(config), seedDemoCatalog);
}

function dbOptions(config: ProductConfig) {
  return { url: config.MYSQL_URL, database: config.DB_NAME };
}

export async function buildApp(
  config: ProductConfig,
  deps: { verifier?: AccessTokenVerifier; logger?: boolean } = {},
): Promise<{ app: ServiceApp }> {
  const db = createDb<ProductDb>({ url: config.MYSQL_URL, database: config.DB_NAME });
  const verifier = deps.verifier ?? verifierFromConfig(config);
  const app = await createServiceApp({
    name: 'product-service',
    description: 'Catalog, categories, search, filters and stock',
    logLevel: config.LOG_LEVEL,
    logger: deps.logger,
    readiness: [{ name: 'database', check: () => pingDb(db) }],
  });
  app.addHook('onClose', async () => {
    await db.destroy();
  });
  app.addSchema(CategorySchema);

  const products = new ProductRepository(db);
  const categories = new CategoryRepository(db);
  const catalog = new CatalogService(products, new ProductSearchRepository(db), categories);
  registerProductRoutes(app, {
    catalog,
    products: new ProductService(products, categories),
    verifier,
  });
  registerCategoryRoutes(app, catalog);
  registerInternalRoutes(app, {
    stock: new StockService(products, new StockRepository(db)),
    internalToken: config.INTERNAL_TOKEN,
  });
  return { app };
}
