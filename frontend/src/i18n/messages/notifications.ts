import { area } from '../area.ts';

export const notifications = area(
  {
    notifications: {
      title: 'Notifications',
      all: 'All',
      unread: 'Unread',
      markRead: 'Mark as read',
      markAllRead: 'Mark all as read',
      empty: 'No notifications yet',
      emptyUnread: 'You are all caught up.',
      live: 'Live',
      offline: 'Updating every 15 seconds',
      viewOrder: 'View order',
      new: 'New',
    },
  },
  // TODO(ru): translate
  {
    notifications: {
      title: 'Notifications',
      all: 'All',
      unread: 'Unread',
      markRead: 'Mark as read',
      markAllRead: 'Mark all as read',
      empty: 'No notifications yet',
      emptyUnread: 'You are all caught up.',
      live: 'Live',
      offline: 'Updating every 15 seconds',
      viewOrder: 'View order',
      new: 'New',
    },
  },
);
