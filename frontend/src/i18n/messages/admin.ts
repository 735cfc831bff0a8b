import { area } from '../area.ts';

export const admin = area(
  {
    admin: {
      title: 'Administration',
    },
  },
  {
    admin: {
      title: 'Администрирование',
    },
  },
);
