import type { Language } from '@marketplace/contracts';
import { createI18n } from 'vue-i18n';
import { en, ru } from './messages/index.ts';

export { en, ru, type Messages } from './messages/index.ts';

/** The languages the app speaks, in the order the switch offers them. */
export const LANGUAGES = ['en', 'ru'] as const satisfies readonly Language[];

/**
 * Russian nouns take three forms after numbers (1 товар, 2 товара, 5 товаров, 11 товаров);
 * messages give `zero | one | few | many`.
 */
export function russianPlural(choice: number, choicesLength: number): number {
  const n = Math.abs(choice);
  if (choicesLength < 4) return n === 0 ? 0 : n === 1 ? 1 : 2;
  if (n === 0) return 0;
  const tens = n % 100;
  const ones = n % 10;
  if (ones === 1 && tens !== 11) return 1;
  if (ones >= 2 && ones <= 4 && (tens < 12 || tens > 14)) return 2;
  return 3;
}

export const i18n = createI18n({
  legacy: false,
  locale: 'en',
  fallbackLocale: 'en',
  messages: { en, ru },
  pluralRules: { ru: russianPlural },
});

/** The language the texts are in now. */
export function currentLanguage(): Language {
  return i18n.global.locale.value === 'ru' ? 'ru' : 'en';
}
