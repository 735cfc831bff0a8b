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

/** The longest a failed delivery waits before its next attempt. */
export const MAX_RETRY_DELAY_MS = 30_000;

/**
 * A consumer's two queues, both quorum (replicated, with confirmed at-least-once dead-lettering,
 * which needs `reject-publish` overflow). The two dead-letter into each other: a delivery the
 * consumer rejects (because it could not republish it) goes to the retry queue, and whatever
 * waits there goes back to the main queue when its time is up. No path drops a message.
 */
export function consumerQueues(
  queue: string,
  maxRetryDelayMs: number = MAX_RETRY_DELAY_MS,
): Record<'main' | 'retry', QueueDeclaration> {
  const deadLetterTo = (target: string): QueueDeclaration['arguments'] => ({
    'x-queue-type': 'quorum',
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': target,
    'x-dead-letter-strategy': 'at-least-once',
    'x-overflow': 'reject-publish',
  });
  return {
    main: { queue, durable: true, arguments: deadLetterTo(`${queue}.retry`) },
    // Failed deliveries wait here for their back-off (per-message TTL, capped by the queue's, so
    // a rejected one, which has none of its own, waits the longest back-off), then return.
    retry: {
      queue: `${queue}.retry`,
      durable: true,
      arguments: { ...deadLetterTo(queue), 'x-message-ttl': maxRetryDelayMs },
    },
  };
}
