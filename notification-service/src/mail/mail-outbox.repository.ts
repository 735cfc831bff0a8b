import { sql, type Kysely } from 'kysely';
import type { DB } from '../data/schema.ts';

export interface QueuedMail {
  notificationId: string;
  userId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface DueMail extends QueuedMail {
  id: string;
  attempts: number;
}

/** In the transaction that stores the in-app notifications: a mail is never without its cause. */
export async function queueMails(db: Kysely<DB>, mails: QueuedMail[]): Promise<void> {
  if (mails.length === 0) return;
  await db
    .insertInto('mail_outbox')
    .values(
      mails.map((m) => ({
        notification_id: m.notificationId,
        user_id: m.userId,
        to_address: m.to,
        subject: m.subject.slice(0, 255),
        text_body: m.text,
        html_body: m.html,
        claimed_by: null,
        claimed_until: null,
        last_error: null,
        sent_at: null,
        failed_at: null,
      })),
    )
    .execute();
}

/**
 * Claims up to `limit` mails that are due, for `claimSeconds`, under `claim` (unique per pass):
 * instances share the outbox without sending one mail twice at once, and a mail claimed by an
 * instance that died is due again once its claim lapses. A short statement; no lock outlives it.
 */
export async function claimDueMails(
  db: Kysely<DB>,
  claim: string,
  limit: number,
  claimSeconds: number,
): Promise<DueMail[]> {
  await sql`
    UPDATE mail_outbox
    SET claimed_by = ${claim},
        claimed_until = CURRENT_TIMESTAMP(3) + INTERVAL ${claimSeconds} SECOND
    WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= CURRENT_TIMESTAMP(3)
      AND (claimed_until IS NULL OR claimed_until < CURRENT_TIMESTAMP(3))
    ORDER BY next_attempt_at, id
    LIMIT ${limit}`.execute(db);
  const rows = await db
    .selectFrom('mail_outbox')
    .select([
      'id',
      'notification_id',
      'user_id',
      'to_address',
      'subject',
      'text_body',
      'html_body',
      'attempts',
    ])
    .where('claimed_by', '=', claim)
    .where('sent_at', 'is', null)
    .execute();
  return rows.map((r) => ({
    id: String(r.id),
    notificationId: r.notification_id,
    userId: r.user_id,
    to: r.to_address,
    subject: r.subject,
    text: r.text_body,
    html: r.html_body,
    attempts: Number(r.attempts),
  }));
}

export async function markSent(db: Kysely<DB>, id: string): Promise<void> {
  await sql`
    UPDATE mail_outbox
    SET sent_at = CURRENT_TIMESTAMP(3), attempts = attempts + 1, claimed_by = NULL,
        claimed_until = NULL, last_error = NULL
    WHERE id = ${id}`.execute(db);
}

/** A failed try: due again after `retryInMs`, or given up on (`failed_at`) when `final`. */
export async function markFailed(
  db: Kysely<DB>,
  id: string,
  error: string,
  retryInMs: number,
  final: boolean,
): Promise<void> {
  await sql`
    UPDATE mail_outbox
    SET attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL,
        last_error = ${error.slice(0, 500)},
        next_attempt_at = CURRENT_TIMESTAMP(3) + INTERVAL ${Math.ceil(retryInMs * 1000)} MICROSECOND,
        failed_at = ${final ? sql`CURRENT_TIMESTAMP(3)` : sql`NULL`}
    WHERE id = ${id}`.execute(db);
}

/** For /metrics: mails waiting, how long the oldest has waited, and mails given up on. */
export async function mailBacklog(
  db: Kysely<DB>,
): Promise<{ pending: number; oldestSeconds: number; failed: number }> {
  // Both read the (sent_at, failed_at, ...) index: sent mails, the bulk, are never scanned.
  const { rows } = await sql<{ n: number | string; oldest: number | string | null }>`
    SELECT COUNT(*) AS n,
           TIMESTAMPDIFF(MICROSECOND, MIN(created_at), CURRENT_TIMESTAMP(3)) / 1e6 AS oldest
    FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL`.execute(db);
  const failed = await sql<{ n: number | string }>`
    SELECT COUNT(*) AS n FROM mail_outbox
    WHERE sent_at IS NULL AND failed_at IS NOT NULL`.execute(db);
  return {
    pending: Number(rows[0]?.n ?? 0),
    oldestSeconds: Number(rows[0]?.oldest ?? 0),
    failed: Number(failed.rows[0]?.n ?? 0),
  };
}

/** Deletes one batch of mails sent more than `days` ago; returns how many. */
export async function pruneSentMails(db: Kysely<DB>, days: number, batch: number): Promise<number> {
  // sent_at leads the (sent_at, failed_at, ...) index: the range is read from it.
  const result = await sql`
    DELETE FROM mail_outbox
    WHERE sent_at IS NOT NULL AND sent_at < CURRENT_TIMESTAMP(3) - INTERVAL ${days} DAY
    ORDER BY sent_at LIMIT ${batch}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
