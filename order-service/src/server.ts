import { exitOnStartupError, runService } from '@marketplace/service-kit';
import { buildApp, setupDatabase } from './app.ts';
import { loadConfig, type Config } from './config.ts';

let config: Config;
try {
  config = loadConfig();
  await setupDatabase(config);
} catch (error) {
  exitOnStartupError('order-service', error);
}
const { app } = await buildApp(config);
await runService(app, { port: config.PORT, host: config.HOST });
