import type { PageOf } from '@marketplace/contracts';
import { InvalidCursorError } from '@marketplace/db';
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
    try {
      const page = await this.repository.list({
        userId,
        unreadOnly: options.unread === true,
        limit: options.limit,
        // An empty cursor asks for the first page, as it always has here.
        cursor: options.cursor || undefined,
      });
      return { items: page.items.map(toView), nextCursor: page.nextCursor };
    } catch (error) {
      if (error instanceof InvalidCursorError) throw invalidCursor();
      throw error;
    }
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

function invalidCursor(): AppError {
  return AppError.badRequest('invalid-cursor', 'The cursor is not one this list gave out.', {
    errors: [{ field: 'querystring.cursor', message: 'is not a valid cursor' }],
  });
}
