import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { loggerOptions } from './logger.ts';
import { ConfigError } from './config.ts';
import { startTracing, type TracingConfig } from './tracing.ts';

/** The variables startService reads; every service's config has them (serverConfig). */
export interface ServerConfig extends TracingConfig {
  PORT: number;
  HOST: string;
  LOG_LEVEL: string;
}

export interface StartOptions<C extends ServerConfig> {
  /** The service's name: the log `service` field and the prefix of a start-up error. */
  name: string;
  loadConfig: () => C;
  /** The start steps before the app exists: create and migrate the database, seed demo data. */
  prepare?: (config: C, logger: Logger) => Promise<void>;
  buildApp: (config: C) => Promise<{ app: FastifyInstance }>;
  /** How long closing may take on a signal before the process exits anyway. */
  shutdownDelayMs?: number;
}

/** A bad environment is the operator's to fix: one plain line, no stack. */
function loadOrExit<C extends ServerConfig>(name: string, load: () => C): C {
  try {
    return load();
  } catch (error) {
    const message =
      error instanceof ConfigError
        ? `invalid configuration: ${error.problems.join('; ')}`
        : error instanceof Error
          ? error.message
          : String(error);
    process.stderr.write(`${name}: cannot start: ${message}\n`);
    return process.exit(1);
  }
}

/**
 * A service's whole start: config, start steps, app, listen; then on SIGTERM/SIGINT (or an
 * uncaught error) close the app (drain, run onClose hooks) within the delay, and exit.
 */
export async function startService<C extends ServerConfig>(
  options: StartOptions<C>,
): Promise<FastifyInstance> {
  const config = loadOrExit(options.name, options.loadConfig);
  const logger = pino(loggerOptions(options.name, config.LOG_LEVEL));
  // Before the app is built: its plugin must wrap every route, and its fetch hooks every client.
  const tracing = startTracing(options.name, config, logger);
  let app: FastifyInstance;
  try {
    await options.prepare?.(config, logger);
    ({ app } = await options.buildApp(config));
  } catch (error) {
    logger.fatal({ err: error }, 'cannot start');
    return process.exit(1);
  }
  const graceful = closeWithGrace(
    { delay: options.shutdownDelayMs ?? 10_000, logger: app.log },
    async ({ signal, err }) => {
      if (err) app.log.error({ err }, 'uncaught error; shutting down');
      else app.log.info({ signal }, 'shutting down');
      await app.close();
      // After the app: the spans of the requests it drained are exported too.
      await tracing?.shutdown();
      app.log.info('closed');
    },
  );
  try {
    await app.listen({ port: config.PORT, host: config.HOST });
  } catch (error) {
    graceful.uninstall();
    app.log.fatal({ err: error }, 'could not listen');
    await app.close().catch(() => undefined);
    return process.exit(1);
  }
  return app;
}
