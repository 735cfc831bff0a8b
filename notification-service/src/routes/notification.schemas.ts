import { Type } from 'typebox';
import { Page, PageQuerySchema } from '@marketplace/contracts';

export const NotificationSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  type: Type.String({ description: 'welcome, order.placed, order.received, order.<status>' }),
  title: Type.String(),
  body: Type.String(),
  data: Type.Record(Type.String(), Type.Unknown()),
  readAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

export const ListQuerySchema = Type.Object({
  unread: Type.Optional(Type.Boolean({ description: 'true: only unread ones' })),
  limit: PageQuerySchema.properties.limit,
  cursor: PageQuerySchema.properties.cursor,
});

export const NotificationPageSchema = Page(NotificationSchema);

export const IdParamsSchema = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const StreamQuerySchema = Type.Object({
  access_token: Type.Optional(
    Type.String({ description: 'For EventSource, which cannot send an Authorization header' }),
  ),
});

export const ProblemRef = Type.Ref('Problem');
