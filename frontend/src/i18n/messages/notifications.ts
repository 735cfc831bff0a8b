import { area } from '../area.ts';

export const notifications = area(
  {
    notifications: {
      title: 'Notifications',
      filter: 'Show',
      all: 'All',
      unread: 'Unread',
      markRead: 'Mark as read',
      markAllRead: 'Mark all as read',
      empty: 'No notifications yet',
      emptyHint: 'News about your orders will appear here.',
      emptyUnread: 'You are all caught up.',
      live: 'Live',
      offline: 'Updating every 15 seconds',
      viewOrder: 'View order',
      new: 'New',
      emailSettings: 'E-mail preferences',
    },
  },
  {
    notifications: {
      title: 'Уведомления',
      filter: 'Показать',
      all: 'Все',
      unread: 'Непрочитанные',
      markRead: 'Отметить прочитанным',
      markAllRead: 'Отметить все прочитанными',
      empty: 'Уведомлений пока нет',
      emptyHint: 'Здесь появятся новости о ваших заказах.',
      emptyUnread: 'Всё прочитано.',
      live: 'В реальном времени',
      offline: 'Обновляется каждые 15 секунд',
      viewOrder: 'Открыть заказ',
      new: 'Новое',
      emailSettings: 'Настройки писем',
    },
  },
);
