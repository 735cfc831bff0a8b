import type { ProfilePatch, User } from '@marketplace/contracts';
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type * as Client from '../api/client.ts';

type ClientModule = typeof Client;

const updateMe = vi.fn<(body: ProfilePatch) => Promise<User>>();
vi.mock('../api/client.ts', async (original) => ({
  ...(await original<ClientModule>()),
  updateMe: (body: ProfilePatch) => updateMe(body),
}));

const { i18n } = await import('../i18n/index.ts');
const { useAuthStore } = await import('./auth.ts');
const { LANGUAGE_KEY, initialLanguage, useLanguageStore } = await import('./language.ts');
const { aUser } = await import('../test/fixtures.ts');
const { testRouter } = await import('../test/router.ts');
const AppHeader = (await import('../components/AppHeader.vue')).default;

function signIn(user: User): void {
  useAuthStore().replace({ user, accessToken: 'token', expiresIn: 900 });
}

describe('the language', () => {
  beforeEach(() => {
    localStorage.clear();
    updateMe.mockReset();
    setActivePinia(createPinia());
    i18n.global.locale.value = 'en';
  });

  it('when nothing was chosen yet, then the browser’s language is used if the app speaks it', () => {
    const languages = vi.spyOn(navigator, 'languages', 'get');
    languages.mockReturnValue(['ru-RU', 'en']);
    expect(initialLanguage()).toBe('ru');
    languages.mockReturnValue(['de-DE', 'fr']);
    expect(initialLanguage()).toBe('en');
    localStorage.setItem(LANGUAGE_KEY, 'ru');
    expect(initialLanguage()).toBe('ru');
    languages.mockRestore();
  });

  it('when the reader switches in the header, then every text changes, the page says its language, and the choice is remembered', async () => {
    const router = await testRouter();
    const wrapper = mount(AppHeader, { global: { plugins: [router, i18n] } });
    expect(wrapper.get('[data-testid="search-submit"]').text()).toBe('Search');

    // The test window is narrower than the header's full row: the switch is behind the menu.
    await wrapper.get('[data-testid="menu-toggle"]').trigger('click');
    await wrapper.get('[data-testid="language-switch"]').setValue('ru');
    await flushPromises();
    expect(wrapper.get('[data-testid="search-submit"]').text()).toBe('Найти');
    expect(document.documentElement.lang).toBe('ru');
    expect(localStorage.getItem(LANGUAGE_KEY)).toBe('ru');
    // Nobody is signed in: there is no profile to save it to.
    expect(updateMe).not.toHaveBeenCalled();

    // A reload starts in the language chosen.
    setActivePinia(createPinia());
    expect(useLanguageStore().language).toBe('ru');
  });

  it('when a signed-in reader switches, then the profile’s language is saved too', async () => {
    signIn(aUser({ language: 'en' }));
    const language = useLanguageStore();
    updateMe.mockResolvedValue(aUser({ language: 'ru' }));
    await language.choose('ru');
    expect(updateMe).toHaveBeenCalledWith({ language: 'ru' });
    expect(useAuthStore().user?.language).toBe('ru');
  });

  it('when someone signs in, then the app takes their profile’s language', async () => {
    const language = useLanguageStore();
    expect(language.language).toBe('en');
    signIn(aUser({ language: 'ru' }));
    await flushPromises();
    expect(language.language).toBe('ru');
    expect(i18n.global.locale.value).toBe('ru');
    expect(updateMe).not.toHaveBeenCalled();
  });
});
