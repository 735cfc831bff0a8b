export { createBroker, pingBroker } from './broker.ts';
export { outboxMigration, enqueueEvent } from './outbox.ts';
export { OutboxRelay, type RelayOptions } from './relay.ts';
export { startEventPublisher, type EventPublisher, type PublisherConfig } from './publisher.ts';
export {
  EventConsumer,
  processedEventsMigration,
  deleteConsumerQueues,
  type EventConsumerOptions,
  type EventHandler,
} from './consumer.ts';
export { createEnvelope, parseEvent } from './envelope.ts';
export { exchangeDeclarations, consumerQueues, unroutedQueueName } from './topology.ts';
export type { Logger } from './logger.ts';
export type { Connection as BrokerConnection } from 'rabbitmq-client';
