import { exitOnStartupError, runService } from '@marketplace/service-kit';
import { buildApp, seedDemoData, setupDatabase } from './app.ts';
import { loadProductConfig, type ProductConfig } from './config.ts';

async function main(): Promise<void> {
  let config: ProductConfig;
  try {
    config = loadProductConfig();
    await setupDatabase(config);
    if (config.SEED_DEMO) await seedDemoData(config);
  } catch (error) {
    exitOnStartupError('product-service', error);
  }
  const { app } = await buildApp(config);
  if (config.SEED_DEMO) app.log.info('demo catalog seeded');
  await runService(app, { port: config.PORT, host: config.HOST });
}

main().catch((error: unknown) => exitOnStartupError('product-service', error));
