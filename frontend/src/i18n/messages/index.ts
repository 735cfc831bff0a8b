import type { Translation } from '../area.ts';
import { account } from './account.ts';
import { admin } from './admin.ts';
import { auth } from './auth.ts';
import { cart } from './cart.ts';
import { catalog } from './catalog.ts';
import { core } from './core.ts';
import { header } from './header.ts';
import { notifications } from './notifications.ts';
import { orders } from './orders.ts';
import { seller } from './seller.ts';

// The app's texts, every area merged per language. The build replaces this module by the same
// messages compiled ahead of time (frontend/build/precompile-messages.ts).

export const en = {
  ...core.en,
  ...header.en,
  ...catalog.en,
  ...cart.en,
  ...auth.en,
  ...account.en,
  ...orders.en,
  ...notifications.en,
  ...seller.en,
  ...admin.en,
};
export type Messages = typeof en;

export const ru: Translation<Messages> = {
  ...core.ru,
  ...header.ru,
  ...catalog.ru,
  ...cart.ru,
  ...auth.ru,
  ...account.ru,
  ...orders.ru,
  ...notifications.ru,
  ...seller.ru,
  ...admin.ru,
};
