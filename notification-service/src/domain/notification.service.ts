import type { Kysely } from 'kysely';
import {
  NOTIFICATION_TYPES,
  type Notification,
  type NotificationListQuery,
  type NotificationPage,
  type NotificationPreferences,
  type NotificationPreferencesBody,
  type UnreadCount,
} from '@marketplace/contracts';
import { InvalidCursorError } from '@marketplace/db';
import {
  countUnreadNotifications,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
} from '../data/notification.repository.ts';
import { mailChoices, saveMailChoices } from '../data/preference.repository.ts';
import type { DB } from '../data/schema.ts';
import { NotificationErrors } from './errors.ts';
import { toPublicNotification } from './notification.model.ts';

/** The caller's own notifications: reading the list, counting the unread, marking them read. */
export class NotificationService {
  constructor(private readonly db: Kysely<DB>) {}

  async list(userId: string, query: NotificationListQuery): Promise<NotificationPage> {
    try {
      const page = await listNotifications(this.db, {
        userId,
        unreadOnly: query.unread === true,
        limit: query.limit,
        // An empty cursor asks for the first page, as it always has here.
        cursor: query.cursor || undefined,
      });
      return { items: page.items.map(toPublicNotification), nextCursor: page.nextCursor };
    } catch (error) {
      if (error instanceof InvalidCursorError) throw NotificationErrors.invalidCursor();
      throw error;
    }
  }

  async unreadCount(userId: string): Promise<UnreadCount> {
    return { count: await countUnreadNotifications(this.db, userId) };
  }

  async markRead(userId: string, id: string): Promise<Notification> {
    const notification = await markNotificationRead(this.db, userId, id, new Date());
    if (!notification) throw NotificationErrors.notificationNotFound();
    return toPublicNotification(notification);
  }

  async markAllRead(userId: string): Promise<void> {
    await markAllNotificationsRead(this.db, userId, new Date());
  }

  /** Every type's e-mail choice; a type never chosen is on. */
  async preferences(userId: string): Promise<NotificationPreferences> {
    const chosen = await mailChoices(this.db, userId);
    const email = Object.fromEntries(
      NOTIFICATION_TYPES.map((type) => [type, chosen.get(type) ?? true]),
    ) as NotificationPreferences['email'];
    return { email };
  }

  async savePreferences(
    userId: string,
    body: NotificationPreferencesBody,
  ): Promise<NotificationPreferences> {
    const choices: Record<string, boolean> = {};
    for (const [type, enabled] of Object.entries(body.email))
      if (typeof enabled === 'boolean') choices[type] = enabled;
    await saveMailChoices(this.db, userId, choices);
    return this.preferences(userId);
  }
}
