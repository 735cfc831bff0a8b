import type { Notification } from '@marketplace/contracts';

/** What a rule decides to tell a user; the repository gives it an id and a time. */
export interface NotificationDraft {
  userId: string;
  type: NotificationType;
  title: string;
  body: string;
  data: Record<string, unknown>;
}

/** A notification as stored: whose it is, and its times as dates. */
export interface StoredNotification extends NotificationDraft {
  id: string;
  readAt: Date | null;
  createdAt: Date;
}

/** Stable identifiers the SPA may key icons or links on. */
export type NotificationType =
  | 'welcome'
  | 'order.placed'
  | 'order.received'
  | 'order.confirmed'
  | 'order.shipped'
  | 'order.delivered'
  | 'order.cancelled';

/** The public JSON shape (`Notification` of the contracts): no owner, ISO times. */
export function toPublicNotification(notification: StoredNotification): Notification {
  return {
    id: notification.id,
    type: notification.type,
    title: notification.title,
    body: notification.body,
    data: notification.data,
    readAt: notification.readAt ? notification.readAt.toISOString() : null,
    createdAt: notification.createdAt.toISOString(),
  };
}
