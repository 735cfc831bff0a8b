/** A message tree: nested objects of strings. */
export interface MessageTree {
  readonly [key: string]: string | MessageTree;
}

/** The same keys as `T`, any wording: what a translation must provide, checked by vue-tsc. */
export type Translation<T> = {
  readonly [K in keyof T]: T[K] extends string ? string : Translation<T[K]>;
};

/**
 * One part of the app's texts in every language it speaks. English is the reference; another
 * language missing a key (or having one English lacks) fails the type check.
 *
 * `@`, `{`, `}`, `|` and `$` are vue-i18n syntax: pass such text as parameters. Plural messages
 * are `zero | one | many` in English and `zero | one | few | many` in Russian
 * (`1 товар | 2 товара | 5 товаров`).
 */
export function area<const T extends MessageTree>(en: T, ru: Translation<T>) {
  return { en, ru };
}
