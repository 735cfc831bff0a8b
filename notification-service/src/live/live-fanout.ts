import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Consumer, Publisher } from 'rabbitmq-client';
import type { Notification } from '@marketplace/contracts';
import type { BrokerConnection, Logger } from '@marketplace/events';
import type { NotificationHub } from './notification.hub.ts';

/** What one instance tells all: a notification to push, or a user whose streams must end. */
type LiveMessage =
  | { kind: 'notification'; userId: string; notification: Notification }
  | { kind: 'close'; userId: string };

/**
 * Live pushes through RabbitMQ, so a client gets its notifications whichever instance its stream
 * is on: the instance that stored one publishes it to a fanout exchange, and every instance
 * (an exclusive queue each) hands it to its own hub. Pushes are best effort, as a live stream
 * is: one missed while the broker is away comes back on reconnect (Last-Event-ID).
 */
export class LiveFanout {
  private readonly publisher: Publisher;
  private readonly consumer: Consumer;
  readonly queue: string;
  /** Settles once this instance receives pushes (the first time). */
  readonly ready: Promise<void>;

  constructor(
    private readonly options: {
      broker: BrokerConnection;
      exchange: string;
      hub: NotificationHub;
      logger: Logger;
    },
  ) {
    const { broker, exchange, hub } = options;
    const exchanges = [{ exchange, type: 'fanout', durable: true }];
    this.queue = `${exchange}.${hostname()}.${process.pid}.${randomUUID().slice(0, 8)}`;
    this.publisher = broker.createPublisher({ confirm: false, exchanges });
    this.consumer = broker.createConsumer(
      {
        queue: this.queue,
        // Gone with the instance: pushes for a stream that no longer exists are worth nothing.
        queueOptions: { exclusive: true, autoDelete: true, arguments: { 'x-message-ttl': 30_000 } },
        exchanges,
        queueBindings: [{ queue: this.queue, exchange, routingKey: '' }],
        noAck: true,
        lazy: true,
      },
      (message) => {
        const live = message.body as LiveMessage;
        if (live.kind === 'notification') hub.publish(live.userId, live.notification);
        else if (live.kind === 'close') hub.closeUser(live.userId);
      },
    );
    this.ready = new Promise((resolve) => this.consumer.once('ready', () => resolve()));
    this.consumer.on('error', (error: unknown) => {
      options.logger.warn({ err: error, queue: this.queue }, 'live fan-out error');
    });
  }

  start(): void {
    this.consumer.start();
  }

  push(userId: string, notification: Notification): void {
    this.send({ kind: 'notification', userId, notification });
  }

  closeUser(userId: string): void {
    this.send({ kind: 'close', userId });
  }

  async stop(): Promise<void> {
    await this.consumer.close();
    await this.publisher.close();
  }

  private send(message: LiveMessage): void {
    this.publisher
      .send(
        { exchange: this.options.exchange, routingKey: '', contentType: 'application/json' },
        message,
      )
      .catch((error: unknown) =>
        this.options.logger.warn(
          { err: error },
          'live push not sent; the stream catches up on reconnect',
        ),
      );
  }
}
