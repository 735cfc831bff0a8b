import { area } from '../area.ts';

export const account = area(
  {
    account: {
      title: 'My account',
    },
  },
  {
    account: {
      title: 'Мой аккаунт',
    },
  },
);
