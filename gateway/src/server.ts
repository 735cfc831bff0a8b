import { exitOnStartupError, runService } from '@marketplace/service-kit';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';

try {
  const config = loadConfig();
  const { app } = await buildApp(config);
  await runService(app, { port: config.PORT, host: config.HOST });
} catch (error) {
  exitOnStartupError('gateway', error);
}
