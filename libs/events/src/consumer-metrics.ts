import { sql, type Kysely } from 'kysely';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Connection } from 'rabbitmq-client';

/** What became of a delivery. */
export type DeliveryOutcome =
  | 'handled'
  | 'duplicate'
  | 'retry_transient'
  | 'retry_failed'
  | 'rejected_to_dlx'
  | 'parked'
  | 'park_failed';

export interface ConsumerMetrics {
  count(outcome: DeliveryOutcome): void;
}

function shared<T>(registry: Registry, name: string, make: () => T): T {
  // Every consumer of a process shares one metric, told apart by the `queue` label.
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/**
 * A consumer's Prometheus metrics: deliveries by outcome, and, read at scrape time, the events
 * parked for a person to look at and the messages waiting in its queues (its lag).
 */
export function consumerMetrics<DB>(
  registry: Registry | undefined,
  queue: string,
  retryQueue: string,
  sources: { db: Kysely<DB>; broker: Connection },
): ConsumerMetrics {
  if (!registry) return { count: () => undefined };
  const deliveries = shared(
    registry,
    'events_consumed_total',
    () =>
      new Counter({
        name: 'events_consumed_total',
        help: 'Event deliveries by what became of them',
        labelNames: ['queue', 'outcome'],
        registers: [registry],
      }),
  );
  const collectors = shared(registry, 'events_parked', () => {
    const list: ((parked: Gauge, lag: Gauge) => Promise<void>)[] = [];
    const lag = new Gauge({
      name: 'events_consumer_lag_messages',
      help: 'Messages waiting in a consumer queue (main: to be handled, retry: backing off)',
      labelNames: ['queue', 'part'],
      registers: [registry],
    });
    const parked: Gauge & { consumers?: typeof list } = new Gauge({
      name: 'events_parked',
      help: 'Events parked in dead_letters and not yet replayed',
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        await Promise.all(list.map((collect) => collect(parked, lag)));
      },
    });
    parked.consumers = list;
    return parked;
  }).consumers;
  collectors?.push(async (parked, lag) => {
    const { rows } = await sql<{ n: number | string }>`
      SELECT COUNT(*) AS n FROM dead_letters
      WHERE source = ${queue} AND replayed_at IS NULL`.execute(sources.db);
    parked.set({ queue }, Number(rows[0]?.n ?? 0));
    for (const [part, name] of [
      ['main', queue],
      ['retry', retryQueue],
    ] as const) {
      const { messageCount } = await sources.broker.queueDeclare({ queue: name, passive: true });
      lag.set({ queue, part }, messageCount);
    }
  });
  return { count: (outcome) => deliveries.inc({ queue, outcome }) };
}
