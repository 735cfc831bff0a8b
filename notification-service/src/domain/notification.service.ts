import { decodeCursor, encodeCursor, type PageOf } from '@marketplace/contracts';
import { AppError } from '@marketplace/service-kit';
import type { NotificationRepository } from '../data/notification.repository.ts';
import { toView, type NotificationView } from './notification.model.ts';

export interface ListOptions {
  unread?: boolean;
  limit: number;
  cursor?: string;
}

/** The caller's own notifications: reading the list and marking them read. */
export class NotificationService {
  constructor(private readonly repository: NotificationRepository) {}

  async list(userId: string, options: ListOptions): Promise<PageOf<NotificationView>> {
    const after = options.cursor ? parseCursor(options.cursor) : null;
    // One extra row tells whether another page follows.
    const rows = await this.repository.list({
      userId,
      unreadOnly: options.unread === true,
      limit: options.limit + 1,
      after,
    });
    const page = rows.slice(0, options.limit);
    const last = page.at(-1);
    const nextCursor =
      rows.length > options.limit && last
        ? encodeCursor([last.createdAt.toISOString(), last.id])
        : null;
    return { items: page.map(toView), nextCursor };
  }

  async markRead(userId: string, id: string): Promise<NotificationView> {
    const notification = await this.repository.markRead(userId, id, new Date());
    // Someone else's notification is reported exactly like a missing one.
    if (!notification) throw AppError.notFound('not-found', 'No such notification.');
    return toView(notification);
  }

  async markAllRead(userId: string): Promise<void> {
    await this.repository.markAllRead(userId, new Date());
  }
}

function parseCursor(cursor: string): { createdAt: Date; id: string } {
  const key = decodeCursor(cursor, 2);
  const [createdAt, id] = key ?? [];
  const date = typeof createdAt === 'string' ? new Date(createdAt) : null;
  if (!date || Number.isNaN(date.getTime()) || typeof id !== 'string') {
    throw AppError.badRequest('invalid-cursor', 'The cursor is not one this list gave out.', {
      errors: [{ field: 'querystring.cursor', message: 'is not a valid cursor' }],
    });
  }
  return { createdAt: date, id };
}
