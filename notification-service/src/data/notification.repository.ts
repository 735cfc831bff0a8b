import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { paginate, type KeysetPage, type PageKey } from '@marketplace/db';
import type { NotificationDraft, StoredNotification } from '../domain/notification.model.ts';
import type { DB, NotificationsTable } from './schema.ts';

export interface ListQuery {
  userId: string;
  unreadOnly: boolean;
  limit: number;
  /** The previous page's `nextCursor`. */
  cursor?: string | undefined;
}

type NotificationRow = Selectable<NotificationsTable>;

const NEWEST_FIRST: readonly PageKey<DB, 'notifications', NotificationRow>[] = [
  { column: 'created_at', direction: 'desc', type: 'date' },
  { column: 'id', direction: 'desc', type: 'string' },
];

function fromRow(row: NotificationRow): StoredNotification {
  return {
    id: row.id,
    userId: row.user_id,
    type: row.type as StoredNotification['type'],
    title: row.title,
    body: row.body,
    data: JSON.parse(row.data) as Record<string, unknown>,
    readAt: row.read_at,
    createdAt: row.created_at,
  };
}

/**
 * Stores the drafts (in the caller's transaction) and returns them as stored. `createdAt` is
 * when the event happened, not when it arrived: events of one order can arrive out of order (a
 * replay, a retry), and the newest-first list must still read in the order things happened.
 */
export async function insertNotifications(
  db: Kysely<DB>,
  drafts: NotificationDraft[],
  createdAt: Date,
): Promise<StoredNotification[]> {
  if (drafts.length === 0) return [];
  await lockFeeds(
    db,
    drafts.map((draft) => draft.userId),
  );
  // DATETIME(3) keeps milliseconds, as Date does: the live copy equals what the list returns.
  const notifications = drafts.map((draft) => ({
    ...draft,
    id: randomUUID(),
    readAt: null,
    createdAt,
  }));
  await db
    .insertInto('notifications')
    .values(
      notifications.map((n) => ({
        id: n.id,
        user_id: n.userId,
        type: n.type,
        title: n.title,
        body: n.body,
        data: JSON.stringify(n.data),
        read_at: null,
        created_at: n.createdAt,
      })),
    )
    .execute();
  return notifications;
}

/**
 * Locks each user's feed row until the caller's transaction ends (creating it the first time),
 * in one order so two transactions cannot deadlock on them. The seq an insert then gets is above
 * every committed one of the user's and below every later one: their notifications commit in
 * seq order, which lets a live stream follow the feed by seq alone (routes/stream.routes.ts).
 */
async function lockFeeds(db: Kysely<DB>, userIds: string[]): Promise<void> {
  const users = [...new Set(userIds)].sort();
  // An upsert locks the row exclusively whether or not it existed (InnoDB).
  await db
    .insertInto('notification_feeds')
    .values(users.map((user_id) => ({ user_id })))
    .onDuplicateKeyUpdate({ user_id: (eb) => eb.ref('notification_feeds.user_id') })
    .execute();
}

/** Newest first; throws InvalidCursorError for a cursor it did not give out. */
export async function listNotifications(
  db: Kysely<DB>,
  { userId, unreadOnly, limit, cursor }: ListQuery,
): Promise<KeysetPage<StoredNotification>> {
  let query = db.selectFrom('notifications').selectAll().where('user_id', '=', userId);
  if (unreadOnly) query = query.where('read_at', 'is', null);
  const page = await paginate(query, { keys: NEWEST_FIRST, limit, cursor });
  return { ...page, items: page.items.map(fromRow) };
}

/** How many of the user's notifications are unread: counted on the (user_id, read_at) index alone. */
export async function countUnreadNotifications(db: Kysely<DB>, userId: string): Promise<number> {
  const { count } = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll().as('count'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(count);
}

/** Marks one of the user's notifications read (keeping an earlier read time); null if not theirs. */
export async function markNotificationRead(
  db: Kysely<DB>,
  userId: string,
  id: string,
  at: Date,
): Promise<StoredNotification | null> {
  await db
    .updateTable('notifications')
    .set({ read_at: at })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .execute();
  const row = await db
    .selectFrom('notifications')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ? fromRow(row) : null;
}

/** Marks every unread notification of the user read; returns how many it marked. */
export async function markAllNotificationsRead(
  db: Kysely<DB>,
  userId: string,
  at: Date,
): Promise<number> {
  const result = await db
    .updateTable('notifications')
    .set({ read_at: at })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A notification with its place in its user's feed (`seq`: arrival order, as a string). */
export interface FeedEntry {
  seq: string;
  notification: StoredNotification;
}

/** Where the user's feed ends now: the seq of their latest notification, or '0'. */
export async function feedHead(db: Kysely<DB>, userId: string): Promise<string> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.max('seq').as('head'))
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.head == null ? '0' : String(row.head);
}

/** The seq of the user's notification `id`; null when it is not theirs (or not a notification). */
export async function feedSeqOf(
  db: Kysely<DB>,
  userId: string,
  id: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('notifications')
    .select('seq')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ? String(row.seq) : null;
}

/**
 * The user's notifications after `afterSeq`, oldest first. Since a user's notifications commit in
 * seq order (insertNotifications), none can appear later below the last one this returns.
 */
export async function feedAfter(
  db: Kysely<DB>,
  userId: string,
  afterSeq: string,
  limit: number,
): Promise<FeedEntry[]> {
  const rows = await db
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ seq: String(row.seq), notification: fromRow(row) }));
}
