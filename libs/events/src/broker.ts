import { Connection } from 'rabbitmq-client';
import type { Logger } from './logger.ts';

/** One AMQP connection per process; it reconnects by itself and re-declares what uses it. */
export function createBroker(url: string, logger: Logger, name: string): Connection {
  const connection = new Connection({
    url,
    connectionName: name,
    retryLow: 500,
    retryHigh: 10_000,
    heartbeat: 30,
    // a publish or declare fails after this instead of waiting for the broker indefinitely
    acquireTimeout: 5_000,
  });
  let wasUp = false;
  connection.on('connection', () => {
    logger.info(
      { broker: 'rabbitmq' },
      wasUp ? 'broker connection re-established' : 'broker connected',
    );
    wasUp = true;
  });
  connection.on('error', (error: unknown) => {
    logger.warn({ err: error, broker: 'rabbitmq' }, 'broker connection error');
  });
  return connection;
}

export async function pingBroker(connection: Connection): Promise<void> {
  if (!connection.ready) throw new Error('the broker connection is not established');
}
