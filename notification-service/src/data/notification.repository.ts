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

/**
 * The user's notifications that arrived after `afterId` (one of theirs), oldest first: what a
 * stream that saw `afterId` last has missed. Empty when `afterId` is not theirs.
 */
export async function notificationsArrivedAfter(
  db: Kysely<DB>,
  userId: string,
  afterId: string,
  limit: number,
): Promise<StoredNotification[]> {
  const last = await db
    .selectFrom('notifications')
    .select('seq')
    .where('id', '=', afterId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!last) return [];
  const rows = await db
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId)
    .where('seq', '>', last.seq)
    .orderBy('seq')
    .limit(limit)
    .execute();
  return rows.map(fromRow);
}
