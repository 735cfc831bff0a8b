export { createBroker, pingBroker } from './broker.ts';
export { outboxMigration, outboxLeaseMigration, enqueueEvent } from './outbox.ts';
export { OutboxRelay, aggregateOf, type RelayOptions } from './relay.ts';
export { startEventPublisher, type EventPublisher, type PublisherConfig } from './publisher.ts';
export {
  EventConsumer,
  processedEventsMigration,
  deleteConsumerQueues,
  type EventConsumerOptions,
  type EventHandler,
} from './consumer.ts';
export { createEnvelope, parseEvent } from './envelope.ts';
export {
  exchangeDeclarations,
  consumerQueues,
  unroutedQueueName,
  MAX_RETRY_DELAY_MS,
} from './topology.ts';
export {
  PermanentEventError,
  TransientEventError,
  classifyFailure,
  type FailureKind,
} from './failures.ts';
export {
  deadLettersMigration,
  listDeadLetters,
  countOpenDeadLetters,
  replayDeadLetter,
  findDeadLetter,
  DeadLetterDesk,
  parkMessage,
  type DeadLetter,
  type DeadLetterQuery,
  type ParkedMessage,
  type ReplayResult,
} from './dead-letters.ts';
export type { Logger } from './logger.ts';
export type { Registry } from 'prom-client';
export type { Connection as BrokerConnection } from 'rabbitmq-client';
export { UnroutedCollector, type UnroutedCollectorOptions } from './unrouted.ts';
export { gaugesFromQuery } from './scrape.ts';
