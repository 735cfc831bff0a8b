import { area } from '../area.ts';

/** The header's links and switches added with the cart, the account and admin pages. */
export const header = area(
  {
    header: {
      admin: 'Admin',
      account: 'My account',
      language: 'Language',
    },
  },
  {
    header: {
      admin: 'Админка',
      account: 'Мой аккаунт',
      language: 'Язык',
    },
  },
);
