import { sql, type Kysely } from 'kysely';
import type { Connection, Publisher } from 'rabbitmq-client';
import { decodeCursor, encodeCursor, sqlMigration } from '@marketplace/db';

/**
 * Parked events live in the consuming service's database rather than in a queue: a queue can
 * only be read by taking messages off it, so listing one by one and replaying one by id would
 * mean draining and re-publishing the rest. Add this to the consumer's migrations.
 */
export const deadLettersMigration = sqlMigration({
  up: [
    `
      CREATE TABLE dead_letters (
        id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
        source VARCHAR(200) NOT NULL,
        event_id VARCHAR(100) NULL,
        type VARCHAR(100) NULL,
        reason VARCHAR(1000) NOT NULL,
        attempts INT UNSIGNED NOT NULL,
        body MEDIUMBLOB NOT NULL,
        headers TEXT NOT NULL,
        replay_exchange VARCHAR(200) NOT NULL,
        replay_routing_key VARCHAR(200) NOT NULL,
        parked_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        replayed_at DATETIME(3) NULL,
        KEY dead_letters_open (replayed_at, id)
      ) ENGINE=InnoDB`,
    // processed_events is pruned by age per consumer.
    'ALTER TABLE processed_events ADD KEY processed_events_age (consumer, processed_at)',
  ],
  down: ['ALTER TABLE processed_events DROP KEY processed_events_age', 'DROP TABLE dead_letters'],
});

export interface ParkedMessage {
  /** The queue the message was consumed from (or the exchange's unrouted queue). */
  source: string;
  eventId: string | null;
  type: string | null;
  reason: string;
  attempts: number;
  body: Buffer;
  headers: Record<string, unknown>;
  /** Where a replay publishes it: '' and the queue's name for a consumer's queue. */
  replayExchange: string;
  replayRoutingKey: string;
}

export interface DeadLetter {
  id: string;
  source: string;
  eventId: string | null;
  type: string | null;
  reason: string;
  attempts: number;
  parkedAt: Date;
  replayedAt: Date | null;
}

interface DeadLetterRow {
  id: string | number | bigint;
  source: string;
  event_id: string | null;
  type: string | null;
  reason: string;
  attempts: number;
  parked_at: Date;
  replayed_at: Date | null;
}

const toDeadLetter = (row: DeadLetterRow): DeadLetter => ({
  id: String(row.id),
  source: row.source,
  eventId: row.event_id,
  type: row.type,
  reason: row.reason,
  attempts: Number(row.attempts),
  parkedAt: row.parked_at,
  replayedAt: row.replayed_at,
});

/** The bytes to keep of a delivered body (the client decodes JSON bodies into values). */
export function bodyBytes(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body);
  return Buffer.from(JSON.stringify(body));
}

export async function parkMessage<DB>(db: Kysely<DB>, message: ParkedMessage): Promise<void> {
  await sql`
    INSERT INTO dead_letters
      (source, event_id, type, reason, attempts, body, headers, replay_exchange, replay_routing_key)
    VALUES (${message.source}, ${message.eventId}, ${message.type}, ${message.reason.slice(0, 1000)},
            ${message.attempts}, ${message.body}, ${JSON.stringify(message.headers)},
            ${message.replayExchange}, ${message.replayRoutingKey})`.execute(db);
}

export interface DeadLetterQuery {
  /** Also list the ones already replayed. */
  all?: boolean;
  limit?: number;
  /** Keyset: the last id of the previous page (newest first). */
  before?: string;
}

/** Parked messages, newest first. */
export async function listDeadLetters<DB>(
  db: Kysely<DB>,
  query: DeadLetterQuery = {},
): Promise<DeadLetter[]> {
  const { rows } = await sql<DeadLetterRow>`
    SELECT id, source, event_id, type, reason, attempts, parked_at, replayed_at
    FROM dead_letters
    WHERE ${query.all ? sql`TRUE` : sql`replayed_at IS NULL`}
      AND ${query.before ? sql`id < ${query.before}` : sql`TRUE`}
    ORDER BY id DESC LIMIT ${query.limit ?? 50}`.execute(db);
  return rows.map(toDeadLetter);
}

export async function countOpenDeadLetters<DB>(db: Kysely<DB>): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`
    SELECT COUNT(*) AS n FROM dead_letters WHERE replayed_at IS NULL`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

export type ReplayResult = 'replayed' | 'not-found' | 'already-replayed';

/**
 * Publishes a parked message (confirmed) where it came from, with a fresh attempt count, then
 * marks it replayed. A crash between the two replays it twice at worst, and consumers dedupe.
 */
export async function replayDeadLetter<DB>(
  db: Kysely<DB>,
  publisher: Pick<Publisher, 'send'>,
  id: string,
): Promise<ReplayResult> {
  if (!/^\d{1,20}$/.test(id)) return 'not-found';
  const { rows } = await sql<{
    body: Buffer;
    headers: string;
    event_id: string | null;
    type: string | null;
    replay_exchange: string;
    replay_routing_key: string;
    replayed_at: Date | null;
  }>`SELECT body, headers, event_id, type, replay_exchange, replay_routing_key, replayed_at
     FROM dead_letters WHERE id = ${id}`.execute(db);
  const row = rows[0];
  if (!row) return 'not-found';
  if (row.replayed_at) return 'already-replayed';
  const headers = JSON.parse(row.headers) as Record<string, unknown>;
  await publisher.send(
    {
      exchange: row.replay_exchange,
      routingKey: row.replay_routing_key,
      durable: true,
      contentType: 'application/json',
      ...(row.event_id ? { messageId: row.event_id } : {}),
      ...(row.type ? { type: row.type } : {}),
      headers: { ...withoutRetryState(headers), 'x-replayed-from': id },
    },
    row.body,
  );
  await sql`UPDATE dead_letters SET replayed_at = CURRENT_TIMESTAMP(3) WHERE id = ${id}`.execute(
    db,
  );
  return 'replayed';
}

/** Headers the broker or the consumer's retry loop set, which a fresh delivery must not carry. */
export function withoutRetryState(headers: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (key.startsWith('x-death') || key === 'x-attempt' || key.startsWith('x-first-death'))
      continue;
    if (key.startsWith('x-last-death') || key === 'x-last-failure') continue;
    kept[key] = value;
  }
  return kept;
}

export async function findDeadLetter<DB>(db: Kysely<DB>, id: string): Promise<DeadLetter | null> {
  if (!/^\d{1,20}$/.test(id)) return null;
  const { rows } = await sql<DeadLetterRow>`
    SELECT id, source, event_id, type, reason, attempts, parked_at, replayed_at
    FROM dead_letters WHERE id = ${id}`.execute(db);
  return rows[0] ? toDeadLetter(rows[0]) : null;
}

const CURSOR_SCOPE = 'dead-letters';

/**
 * What operators do with parked events, for the admin API and the CLI alike: list them a page at
 * a time (newest first) and replay one by id.
 */
export class DeadLetterDesk<DB> {
  private readonly publisher: Publisher;

  constructor(
    private readonly db: Kysely<DB>,
    broker: Connection,
  ) {
    this.publisher = broker.createPublisher({ confirm: true });
  }

  /** Throws InvalidCursorError for a cursor this list did not give out. */
  async list(query: { all?: boolean; limit: number; cursor?: string | undefined }) {
    const before = query.cursor
      ? String(
          decodeCursor(
            query.cursor,
            [{ type: 'string', accept: (v) => /^\d{1,20}$/.test(v) }],
            CURSOR_SCOPE,
          )[0],
        )
      : undefined;
    const rows = await listDeadLetters(this.db, {
      all: query.all === true,
      limit: query.limit + 1,
      ...(before ? { before } : {}),
    });
    const items = rows.slice(0, query.limit);
    const last = items.at(-1);
    return {
      items,
      nextCursor: rows.length > query.limit && last ? encodeCursor([last.id], CURSOR_SCOPE) : null,
    };
  }

  replay(id: string): Promise<ReplayResult> {
    return replayDeadLetter(this.db, this.publisher, id);
  }

  get(id: string): Promise<DeadLetter | null> {
    return findDeadLetter(this.db, id);
  }

  close(): Promise<void> {
    return this.publisher.close();
  }
}
