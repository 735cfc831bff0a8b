import type { FastifyInstance } from 'fastify';

export interface RunOptions {
  port: number;
  host?: string;
  /** How long in-flight work may take to finish before the process exits anyway. */
  shutdownTimeoutMs?: number;
}

/**
 * Listens, and closes the app cleanly on SIGTERM/SIGINT: stop accepting, drain, run onClose
 * hooks (consumers, relays, pools), then exit.
 */
export async function runService(app: FastifyInstance, options: RunOptions): Promise<void> {
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, options.shutdownTimeoutMs ?? 10_000);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'error while closing');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  try {
    await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    app.log.fatal({ err: error }, 'could not listen');
    await app.close().catch(() => undefined);
    process.exit(1);
  }
}

/** For a server.ts: print a config error plainly (no stack) and exit non-zero. */
export function exitOnStartupError(service: string, error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${service}: cannot start: ${message}\n`);
  process.exit(1);
}
