import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { paginate, type KeysetPage, type PageKey } from '@marketplace/db';
import type { Notification, NotificationDraft } from '../domain/notification.model.ts';
import type { DB, NotificationsTable } from './schema.ts';

export interface ListQuery {
  userId: string;
  unreadOnly: boolean;
  limit: number;
  /** The previous page's `nextCursor`. */
  cursor?: string | undefined;
}

export interface NotificationRepository {
  insertMany(trx: Transaction<DB>, drafts: NotificationDraft[]): Promise<Notification[]>;
  /** Newest first; throws InvalidCursorError for a cursor it did not give out. */
  list(query: ListQuery): Promise<KeysetPage<Notification>>;
  /** Marks one of the user's notifications read (keeping an earlier read time); null if not theirs. */
  markRead(userId: string, id: string, at: Date): Promise<Notification | null>;
  markAllRead(userId: string, at: Date): Promise<number>;
}

type NotificationRow = Selectable<NotificationsTable>;

const NEWEST_FIRST: readonly PageKey<DB, 'notifications', NotificationRow>[] = [
  { column: 'created_at', direction: 'desc', type: 'date' },
  { column: 'id', direction: 'desc', type: 'string' },
];

function toNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    userId: row.user_id,
    type: row.type as Notification['type'],
    title: row.title,
    body: row.body,
    data: JSON.parse(row.data) as Record<string, unknown>,
    readAt: row.read_at,
    createdAt: row.created_at,
  };
}

export function createNotificationRepository(db: Kysely<DB>): NotificationRepository {
  return {
    async insertMany(trx, drafts) {
      if (drafts.length === 0) return [];
      // DATETIME(3) keeps milliseconds, as Date does: the live copy equals what the list returns.
      const createdAt = new Date();
      const notifications = drafts.map((draft) => ({
        ...draft,
        id: randomUUID(),
        readAt: null,
        createdAt,
      }));
      await trx
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
    },

    async list({ userId, unreadOnly, limit, cursor }) {
      let query = db.selectFrom('notifications').selectAll().where('user_id', '=', userId);
      if (unreadOnly) query = query.where('read_at', 'is', null);
      const page = await paginate(query, { keys: NEWEST_FIRST, limit, cursor });
      return { ...page, items: page.items.map(toNotification) };
    },

    async markRead(userId, id, at) {
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
      return row ? toNotification(row) : null;
    },

    async markAllRead(userId, at) {
      const result = await db
        .updateTable('notifications')
        .set({ read_at: at })
        .where('user_id', '=', userId)
        .where('read_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
  };
}
