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

type Collector = (gauge: Gauge) => Promise<void>;

/** A gauge of the registry read at scrape time by every consumer that added a collector. */
function scraped(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
): Collector[] {
  const gauge = shared(registry, name, () => {
    const collectors: Collector[] = [];
    const made: Gauge & { collectors?: Collector[] } = new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        await Promise.all(collectors.map((collect) => collect(made).catch(() => undefined)));
      },
    });
    made.collectors = collectors;
    return made;
  });
  return gauge.collectors ?? [];
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
  // Read at scrape time; a database or broker that is away must not fail the whole scrape, so a
  // gauge then keeps its last value (the outage shows in /ready and the logs).
  parkedGauge(registry, queue, sources.db);
  const lag = scraped(
    registry,
    'events_consumer_lag_messages',
    'Messages waiting in a consumer queue (main: to be handled, retry: backing off)',
    ['queue', 'part'],
  );
  lag.push(async (gauge) => {
    for (const [part, name] of [
      ['main', queue],
      ['retry', retryQueue],
    ] as const) {
      const { messageCount } = await sources.broker.queueDeclare({ queue: name, passive: true });
      gauge.set({ queue, part }, messageCount);
    }
  });
  return { count: (outcome) => deliveries.inc({ queue, outcome }) };
}

/** `events_parked` for a source that is not a consumer (the exchange's unrouted events). */
export function parkedGauge<DB>(registry: Registry, source: string, db: Kysely<DB>): void {
  parkedCollectors(registry).push(async (gauge) => {
    const { rows } = await sql<{ n: number | string }>`
      SELECT COUNT(*) AS n FROM dead_letters
      WHERE source = ${source} AND replayed_at IS NULL`.execute(db);
    gauge.set({ queue: source }, Number(rows[0]?.n ?? 0));
  });
}

const parkedCollectors = (registry: Registry) =>
  scraped(registry, 'events_parked', 'Events parked in dead_letters and not yet replayed', [
    'queue',
  ]);
