import { exitOnStartupError, runService } from '@marketplace/service-kit';
import { buildApp, setupDatabase } from './app.ts';
import { loadConfig } from './config.ts';

try {
  const config = loadConfig();
  await setupDatabase(config);
  const { app } = await buildApp(config);
  await runService(app, { port: config.PORT, host: config.HOST });
} catch (error) {
  exitOnStartupError('notification-service', error);
}
