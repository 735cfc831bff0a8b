import { Type, type Static } from 'typebox';
import { Page, PageQuerySchema } from '../pagination.ts';
import { DateTime, Nullable, Uuid } from './common.schemas.ts';

/** One in-app notification, as the list, the read routes and the live stream send it. */
export const NotificationSchema = Type.Object({
  id: Uuid,
  type: Type.String({ description: 'welcome, order.placed, order.received, order.<status>' }),
  title: Type.String(),
  body: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  readAt: Nullable(DateTime),
  createdAt: DateTime,
});
export type Notification = Static<typeof NotificationSchema>;

export const NotificationListQuerySchema = Type.Object({
  unread: Type.Optional(Type.Boolean({ description: 'true: only unread ones' })),
  ...PageQuerySchema.properties,
});
export type NotificationListQuery = Static<typeof NotificationListQuerySchema>;

export const NotificationPageSchema = Page(NotificationSchema);
export type NotificationPage = Static<typeof NotificationPageSchema>;

export const UnreadCountSchema = Type.Object({
  count: Type.Integer({
    minimum: 0,
    description: "How many of the caller's notifications are unread",
  }),
});
export type UnreadCount = Static<typeof UnreadCountSchema>;

export const NotificationStreamQuerySchema = Type.Object({
  access_token: Type.Optional(
    Type.String({ description: 'For EventSource, which cannot send an Authorization header' }),
  ),
});
export type NotificationStreamQuery = Static<typeof NotificationStreamQuerySchema>;

/** The stream's body: Server-Sent Events whose `data:` lines are `Notification` JSON. */
export const NotificationStreamSchema = Type.String();

/** Every kind of notification; each may be mailed or not, as its user chooses. */
export const NOTIFICATION_TYPES = [
  'welcome',
  'order.placed',
  'order.received',
  'order.confirmed',
  'order.shipped',
  'order.delivered',
  'order.cancelled',
] as const;

const EmailChoices = Type.Object(
  {
    welcome: Type.Boolean(),
    'order.placed': Type.Boolean(),
    'order.received': Type.Boolean(),
    'order.confirmed': Type.Boolean(),
    'order.shipped': Type.Boolean(),
    'order.delivered': Type.Boolean(),
    'order.cancelled': Type.Boolean(),
  },
  { additionalProperties: false },
);

/** Whether each kind is also sent by e-mail; in-app notifications are always kept. */
export const NotificationPreferencesSchema = Type.Object(
  { email: EmailChoices },
  { additionalProperties: false },
);
export type NotificationPreferences = Static<typeof NotificationPreferencesSchema>;

/** PUT: the same shape; a type left out keeps its choice. */
export const NotificationPreferencesBodySchema = Type.Object(
  { email: Type.Partial(EmailChoices, { additionalProperties: false }) },
  { additionalProperties: false },
);
export type NotificationPreferencesBody = Static<typeof NotificationPreferencesBodySchema>;
