import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { sql, type Kysely } from 'kysely';
import type { Connection, Publisher } from 'rabbitmq-client';
import { Gauge } from 'prom-client';
import { EVENTS_EXCHANGE, type TraceContext } from '@marketplace/contracts';
import { PeriodicTask, type Registry } from '@marketplace/tasks';
import { gaugesFromQuery } from './scrape.ts';
import { exchangeDeclarations } from './topology.ts';
import { tracePublish } from './tracing.ts';
import type { Logger } from './logger.ts';

export interface RelayOptions<DB> {
  db: Kysely<DB>;
  broker: Connection;
  logger: Logger;
  exchange?: string;
  /** How often to look for rows nobody nudged about (after a crash, a broker outage). */
  pollIntervalMs?: number;
  batchSize?: number;
  /**
   * How long a relay's hold on the outbox lasts unless renewed: the longest the rows wait after
   * the holder dies without letting go (a graceful stop lets go at once).
   */
  leaseMs?: number;
  /** Names this relay in the lease; unique per process by default. */
  instanceId?: string;
  /** Counts the relay's passes and failures (task `outbox-relay`) and the outbox gauges. */
  registry?: Registry;
}

interface OutboxRow {
  id: number | string;
  event_id: string;
  type: string;
  payload: string;
}

interface Envelope {
  correlationId?: string | null;
  occurredAt: string;
  traceContext?: TraceContext;
  data?: Record<string, unknown>;
}

const LEASE = 'relay';

/** The entity an event is about: an order's events must reach the broker in the order written. */
export function aggregateOf(type: string, envelope: Envelope, eventId: string): string {
  const data = envelope.data ?? {};
  const key = type.startsWith('order.')
    ? data.orderId
    : type.startsWith('product.')
      ? data.productId
      : type.startsWith('user.')
        ? data.userId
        : undefined;
  return typeof key === 'string' ? `${type.split('.')[0]}:${key}` : `event:${eventId}`;
}

/**
 * Publishes outbox rows with publisher confirms and marks the confirmed ones; a row whose
 * publish failed stays pending and is retried on the next pass.
 *
 * - No database lock is held while the broker is waited for: rows are read with a plain
 *   (non-locking) read and marked afterwards in a statement of their own, so a checkout that
 *   writes an outbox row never waits behind a relay stuck on a broker outage.
 * - One relay per outbox publishes at a time: each holds a lease row (renewed as it goes, let go
 *   on stop); the others stand by and take over when it lapses. So instances never publish the
 *   same row side by side, and a crashed holder costs at most one lease of delay.
 * - Per-aggregate order: confirms are pipelined across aggregates, but an aggregate's next row
 *   is sent only once its previous one is confirmed, and not at all after one failed. So no
 *   event of an order ever reaches the broker ahead of an earlier one of the same order, even
 *   when a lapsed holder is still finishing its last sends.
 */
export class OutboxRelay<DB> {
  private readonly publisher: Publisher;
  private readonly exchange: string;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly instanceId: string;
  private readonly task: PeriodicTask<number>;
  /** Until when (this process's monotonic clock) this relay surely holds the lease. */
  private heldUntil = 0;
  /** When a standby last tried to take the lease: nudges must not turn into a write each. */
  private triedAt = -Infinity;

  constructor(private readonly options: RelayOptions<DB>) {
    this.exchange = options.exchange ?? EVENTS_EXCHANGE;
    this.batchSize = options.batchSize ?? 200;
    this.leaseMs = options.leaseMs ?? 10_000;
    this.instanceId = options.instanceId ?? `${hostname()}:${process.pid}:${randomUUID()}`;
    this.task = new PeriodicTask({
      name: 'outbox-relay',
      run: () => this.flushOnce(),
      intervalMs: options.pollIntervalMs ?? 1_000,
      firstDelayMs: 0,
      // A full batch means more rows may be waiting: keep going until a short one comes back.
      hasMore: (sent) => sent >= this.batchSize,
      logger: options.logger,
      registry: options.registry,
    });
    const topology = exchangeDeclarations(this.exchange);
    this.publisher = options.broker.createPublisher({
      confirm: true,
      // A failed send is the relay's to retry, in order, on its next pass: the client's own
      // retry would resend it on a new channel after later rows of the same order.
      maxAttempts: 1,
      exchanges: topology.exchanges,
      queues: topology.queues,
      queueBindings: topology.queueBindings,
    });
    if (options.registry) this.registerGauges(options.registry);
  }

  start(): void {
    this.task.start();
  }

  /** Call after committing a transaction that enqueued events, to publish them now. */
  nudge(): void {
    this.task.nudge();
  }

  /** Whether this relay held the lease at its last pass. */
  get isHolder(): boolean {
    return performance.now() < this.heldUntil;
  }

  async stop(): Promise<void> {
    await this.task.stop();
    await this.publisher.close();
    if (this.heldUntil > 0) {
      // Let go, so a standby takes over now rather than when the lease would lapse.
      this.heldUntil = 0;
      await sql`UPDATE outbox_relay_lease SET expires_at = CURRENT_TIMESTAMP(3)
                WHERE name = ${LEASE} AND holder = ${this.instanceId}`
        .execute(this.options.db)
        .catch((error: unknown) =>
          this.options.logger.warn({ err: error }, 'lease release failed'),
        );
    }
  }

  /** One pass: publishes up to a batch of pending rows; returns how many were confirmed. */
  async flushOnce(): Promise<number> {
    if (!(await this.holdLease())) return 0;
    const { db, logger } = this.options;
    const { rows } = await sql<OutboxRow>`
      SELECT id, event_id, type, payload FROM outbox_events
      WHERE published_at IS NULL ORDER BY id LIMIT ${this.batchSize}`.execute(db);
    if (rows.length === 0) return 0;
    const confirmed: (number | string)[] = [];
    const failed: (number | string)[] = [];
    let firstError: unknown;
    // Sends stop being started once the lease may have lapsed; what is in flight completes.
    const sendUntil = this.heldUntil;
    // Each payload is parsed once: for its aggregate here, for its message properties below.
    const chains = new Map<string, { row: OutboxRow; envelope: Envelope }[]>();
    for (const row of rows) {
      const envelope = JSON.parse(row.payload) as Envelope;
      const key = aggregateOf(row.type, envelope, row.event_id);
      const chain = chains.get(key);
      if (chain) chain.push({ row, envelope });
      else chains.set(key, [{ row, envelope }]);
    }
    await Promise.all(
      [...chains.values()].map(async (chain) => {
        for (const { row, envelope } of chain) {
          if (performance.now() >= sendUntil) return;
          try {
            await this.publish(row, envelope);
            confirmed.push(row.id);
          } catch (error) {
            firstError ??= error;
            failed.push(row.id);
            // The rest of this aggregate waits for the next pass, behind the failed one.
            return;
          }
        }
      }),
    );
    if (confirmed.length > 0) {
      await sql`UPDATE outbox_events SET published_at = CURRENT_TIMESTAMP(3)
                WHERE id IN (${sql.join(confirmed)})`.execute(db);
    }
    if (failed.length > 0) {
      await sql`UPDATE outbox_events SET attempts = attempts + 1
                WHERE id IN (${sql.join(failed)})`.execute(db);
      logger.warn({ err: firstError, failed: failed.length }, 'outbox publish failed; will retry');
    }
    return confirmed.length;
  }

  /**
   * Takes or renews the lease when less than half of it is left; true while this relay holds
   * it. One statement: the assignments of ON DUPLICATE KEY UPDATE run left to right, so the
   * second sees whether the first handed the row to this relay.
   */
  private async holdLease(): Promise<boolean> {
    const now = performance.now();
    if (now + this.leaseMs / 2 < this.heldUntil) return true;
    const standby = now >= this.heldUntil;
    if (
      standby &&
      now - this.triedAt < Math.min(this.options.pollIntervalMs ?? 1_000, this.leaseMs / 4)
    )
      return false;
    this.triedAt = now;
    const { db } = this.options;
    const me = this.instanceId;
    const micros = this.leaseMs * 1000;
    await sql`
      INSERT INTO outbox_relay_lease (name, holder, expires_at)
      VALUES (${LEASE}, ${me}, CURRENT_TIMESTAMP(3) + INTERVAL ${micros} MICROSECOND)
      ON DUPLICATE KEY UPDATE
        holder = IF(holder = VALUES(holder) OR expires_at < CURRENT_TIMESTAMP(3),
                    VALUES(holder), holder),
        expires_at = IF(holder = VALUES(holder), VALUES(expires_at), expires_at)`.execute(db);
    const { rows } = await sql<{ holder: string }>`
      SELECT holder FROM outbox_relay_lease WHERE name = ${LEASE}`.execute(db);
    // Counted from before the statement, so the local view never outlasts the database's.
    this.heldUntil = rows[0]?.holder === me ? now + this.leaseMs : 0;
    return this.heldUntil > 0;
  }

  /** One confirmed send, traced as the continuation of what stored the event (if traced). */
  private publish(row: OutboxRow, envelope: Envelope): Promise<void> {
    const event = {
      id: row.event_id,
      type: row.type,
      exchange: this.exchange,
      traceContext: envelope.traceContext,
    };
    return tracePublish(event, (headers) =>
      this.publisher.send(
        {
          exchange: this.exchange,
          routingKey: row.type,
          durable: true,
          contentType: 'application/json',
          messageId: row.event_id,
          type: row.type,
          ...(envelope.correlationId ? { correlationId: envelope.correlationId } : {}),
          timestamp: Math.floor(Date.parse(envelope.occurredAt) / 1000),
          // The publish span, for the consumers to continue (none while tracing is off).
          ...(headers.traceparent ? { headers } : {}),
        },
        Buffer.from(row.payload),
      ),
    );
  }

  /** Read at scrape time: what waits in the outbox, and for how long. */
  private registerGauges(registry: Registry): void {
    const db = this.options.db;
    gaugesFromQuery(
      registry,
      async () => {
        const { rows } = await sql<{ n: number | string; oldest: number | string | null }>`
          SELECT COUNT(*) AS n,
                 TIMESTAMPDIFF(MICROSECOND, MIN(created_at), CURRENT_TIMESTAMP(3)) / 1e6 AS oldest
          FROM outbox_events WHERE published_at IS NULL`.execute(db);
        return { pending: Number(rows[0]?.n ?? 0), oldest: Number(rows[0]?.oldest ?? 0) };
      },
      { pending: 0, oldest: 0 },
      [
        {
          name: 'outbox_pending_events',
          help: 'Outbox rows not yet confirmed by the broker',
          value: (f) => f.pending,
        },
        {
          name: 'outbox_oldest_pending_seconds',
          help: 'Age of the oldest outbox row not yet confirmed by the broker (0 when none)',
          value: (f) => f.oldest,
        },
      ],
    );
    const isHolder = () => this.isHolder;
    new Gauge({
      name: 'outbox_relay_holder',
      help: '1 while this instance holds the outbox lease and publishes, 0 on standby',
      registers: [registry],
      collect() {
        this.set(isHolder() ? 1 : 0);
      },
    });
  }
}
