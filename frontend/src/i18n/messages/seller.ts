import { area } from '../area.ts';

export const seller = area(
  {
    seller: {
      title: 'Incoming orders',
      empty: 'No orders yet',
      emptyHint: 'Orders for your products will appear here.',
      allStatuses: 'All statuses',
      confirm: 'Confirm',
      ship: 'Mark shipped',
      deliver: 'Mark delivered',
      cancel: 'Cancel',
      cancelConfirm: 'Cancel this order? Its stock will be released.',
    },
  },
  // TODO(ru): translate
  {
    seller: {
      title: 'Incoming orders',
      empty: 'No orders yet',
      emptyHint: 'Orders for your products will appear here.',
      allStatuses: 'All statuses',
      confirm: 'Confirm',
      ship: 'Mark shipped',
      deliver: 'Mark delivered',
      cancel: 'Cancel',
      cancelConfirm: 'Cancel this order? Its stock will be released.',
    },
  },
);
