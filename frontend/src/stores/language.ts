import type { Language } from '@marketplace/contracts';
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import * as api from '../api/client.ts';
import { i18n, LANGUAGES } from '../i18n/index.ts';
import { useAuthStore } from './auth.ts';

/** The reader's choice, remembered across visits (not a secret). */
export const LANGUAGE_KEY = 'marketplace.language';

function isLanguage(value: unknown): value is Language {
  return (LANGUAGES as readonly unknown[]).includes(value);
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/** A first visit reads the browser's languages; later visits what the reader chose. */
export function initialLanguage(): Language {
  const stored = storage()?.getItem(LANGUAGE_KEY);
  if (isLanguage(stored)) return stored;
  const preferred = typeof navigator === 'undefined' ? [] : (navigator.languages ?? []);
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLanguage(base)) return base;
  }
  return 'en';
}

/**
 * The app's language: switched in the header, remembered in the browser, and kept in step with
 * the profile's language (which e-mails are written in). Signing in adopts the profile's language;
 * switching while signed in saves it to the profile.
 */
export const useLanguageStore = defineStore('language', () => {
  const auth = useAuthStore();
  const language = ref<Language>(initialLanguage());

  function apply(next: Language): void {
    language.value = next;
    i18n.global.locale.value = next;
    if (typeof document !== 'undefined') document.documentElement.lang = next;
    storage()?.setItem(LANGUAGE_KEY, next);
  }

  /** The reader picked a language: shown at once, saved to the profile when signed in. */
  async function choose(next: Language): Promise<void> {
    apply(next);
    const user = auth.user;
    if (user && user.language !== next) {
      try {
        auth.setUser(await api.updateMe({ language: next }));
      } catch {
        // The page is in the new language already; the profile catches up on the next switch.
      }
    }
  }

  apply(language.value);
  // A session that starts (login, reload, another tab) brings the profile's language.
  watch(
    () => auth.user?.id,
    (id) => {
      const profile = auth.user?.language;
      if (id && profile && profile !== language.value) apply(profile);
    },
    { immediate: true },
  );

  return { language, choose };
});
