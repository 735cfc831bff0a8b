import type { Cmd, MethodParams } from 'rabbitmq-client';
import { EVENTS_EXCHANGE } from '@marketplace/contracts';

type QueueDeclaration = MethodParams[Cmd.QueueDeclare] & { queue: string };

/**
 * Events no queue is bound for (yet) go to this exchange's queue instead of vanishing: an event
 * published before its consumer first declared its queue is kept, not lost.
 */
export function unroutedQueueName(exchange: string): string {
  return `${exchange}.unrouted`;
}

/** Every declarer of the events exchange must use the same arguments, so it is declared here. */
export function exchangeDeclarations(exchange: string = EVENTS_EXCHANGE) {
  const quorum: QueueDeclaration['arguments'] = { 'x-queue-type': 'quorum' };
  const alternate = unroutedQueueName(exchange);
  return {
    exchanges: [
      { exchange: alternate, type: 'fanout', durable: true },
      {
        exchange,
        type: 'topic',
        durable: true,
        arguments: { 'alternate-exchange': alternate },
      },
    ],
    queues: [{ queue: alternate, durable: true, arguments: quorum }] as QueueDeclaration[],
    queueBindings: [{ queue: alternate, exchange: alternate, routingKey: '' }],
  };
}

/** Quorum queues: replicated, and their dead-lettering is confirmed (at-least-once). */
export function consumerQueues(queue: string): Record<'main' | 'retry' | 'dead', QueueDeclaration> {
  return {
    main: { queue, durable: true, arguments: { 'x-queue-type': 'quorum' } },
    // Failed deliveries wait here for their back-off (per-message TTL), then return to `queue`.
    retry: {
      queue: `${queue}.retry`,
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': queue,
        'x-dead-letter-strategy': 'at-least-once',
        'x-overflow': 'reject-publish',
      },
    },
    // Poison messages are parked here for a person to look at; nothing consumes it.
    dead: { queue: `${queue}.dead`, durable: true, arguments: { 'x-queue-type': 'quorum' } },
  };
}
