import { describe, expect, it } from 'vitest';
import { en, i18n, ru, russianPlural } from './index.ts';

type Tree = { readonly [key: string]: string | Tree };

function leaves(tree: Tree, prefix = ''): [string, string][] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'string' ? [[prefix + key, value]] : leaves(value, `${prefix}${key}.`),
  );
}

/** Texts that read the same in both languages (names, codes). */
const SAME_IN_BOTH = new Set<string>(['app.name']);

describe('the app’s texts', () => {
  it('when a text is in English, then it is in Russian too, translated', () => {
    const english = new Map(leaves(en));
    const russian = new Map(leaves(ru));
    expect([...russian.keys()].sort()).toEqual([...english.keys()].sort());
    const untranslated = [...english].filter(
      ([key, text]) =>
        !SAME_IN_BOTH.has(key) &&
        russian.get(key) === text &&
        /[a-z]{3}/i.test(text.replace(/\{\w+\}/g, '')),
    );
    expect(untranslated.map(([key]) => key)).toEqual([]);
  });

  it('when a Russian text has parameters, then it has the same ones as the English', () => {
    const params = (text: string) =>
      [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
    const russian = new Map(leaves(ru));
    const differing = leaves(en).filter(
      ([key, text]) =>
        JSON.stringify(params(text)) !== JSON.stringify(params(russian.get(key) ?? '')),
    );
    expect(differing.map(([key]) => key)).toEqual([]);
  });

  it('when Russian counts things, then 1, 2–4 and 5–20 take their own forms', () => {
    expect(
      [0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 25, 101, 111].map((n) => russianPlural(n, 4)),
    ).toEqual([0, 1, 2, 2, 3, 3, 3, 3, 1, 2, 3, 1, 3]);
    i18n.global.locale.value = 'ru';
    try {
      const text = (n: number) => i18n.global.t('orders.items', n);
      expect(new Set([text(1), text(3), text(5)]).size).toBe(3);
    } finally {
      i18n.global.locale.value = 'en';
    }
  });
});
