import { exitOnStartupError, runService } from '@marketplace/service-kit';
import { buildApp, prepare } from './app.ts';
import { loadConfig, type UserConfig } from './config.ts';

try {
  const config = loadConfig();
  await prepare(config, startupLogger(config.LOG_LEVEL));
  const { app } = await buildApp(config);
  await runService(app, { port: config.PORT, host: config.HOST });
} catch (error) {
  exitOnStartupError('user-service', error);
}

/** Before the app (and its pino logger) exists, start-up steps log JSON lines to stdout. */
function startupLogger(level: UserConfig['LOG_LEVEL']) {
  const order = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];
  const write = (at: string) => (obj: object, msg?: string) => {
    if (order.indexOf(at) < order.indexOf(level)) return;
    console.log(JSON.stringify({ level: at, service: 'user-service', msg, ...obj }));
  };
  return { info: write('info'), warn: write('warn'), error: write('error'), debug: write('debug') };
}
