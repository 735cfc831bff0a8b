import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { AuthSession, LoginBody, RegisterBody, Role } from '@marketplace/contracts';
import * as api from '../api/client.ts';

/** What is kept of a session (its `expiresIn` is stale as soon as it is stored). */
type Session = Pick<AuthSession, 'user' | 'accessToken' | 'refreshToken'>;

/** A refresh answered with one of these: the session is over, trying again will not help. */
const SESSION_OVER = [
  'invalid-refresh-token',
  'refresh-token-reused',
  'account-blocked',
  'validation-error',
] as const;

const STORAGE_KEY = 'marketplace.session';

function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<Session>;
    return parsed.user && parsed.accessToken && parsed.refreshToken ? (parsed as Session) : null;
  } catch {
    return null;
  }
}

/**
 * Refresh tokens are single-use and reusing a spent one revokes the whole family, so only one
 * refresh may run at a time across all tabs: a Web Lock where available, plus in-tab single flight.
 */
async function withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
  if (typeof navigator !== 'undefined' && 'locks' in navigator) {
    return navigator.locks.request('marketplace.refresh', work);
  }
  return work();
}

export const useAuthStore = defineStore('auth', () => {
  const session = ref<Session | null>(loadSession());
  let refreshing: Promise<boolean> | null = null;

  const user = computed(() => session.value?.user ?? null);
  const isLoggedIn = computed(() => session.value !== null);
  const role = computed<Role | null>(() => session.value?.user.role ?? null);
  const isSeller = computed(() => role.value === 'seller' || role.value === 'admin');
  const accessToken = computed(() => session.value?.accessToken ?? null);

  function save(next: Session | null): void {
    session.value = next;
    if (next) localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
    else localStorage.removeItem(STORAGE_KEY);
  }

  function start(session: AuthSession): void {
    save({
      user: session.user,
      accessToken: session.accessToken,
      refreshToken: session.refreshToken,
    });
  }

  async function login(body: LoginBody): Promise<void> {
    start(await api.login(body));
  }

  async function register(body: RegisterBody): Promise<void> {
    start(await api.register(body));
  }

  async function renew(): Promise<boolean> {
    const held = session.value;
    if (!held) return false;
    // Another tab may have refreshed while we waited for the lock: adopt its tokens.
    const stored = loadSession();
    if (stored && stored.refreshToken !== held.refreshToken) {
      session.value = stored;
      return true;
    }
    try {
      start(await api.refreshTokens(held.refreshToken));
      return true;
    } catch (error) {
      // Only a definitive refusal ends the session; a network blip or a rate limit keeps it.
      if (api.hasCode(error, ...SESSION_OVER)) save(null);
      return false;
    }
  }

  function refresh(): Promise<boolean> {
    refreshing ??= withRefreshLock(renew).finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  async function logout(): Promise<void> {
    const token = session.value?.refreshToken;
    save(null);
    if (token) await api.logout(token).catch(() => undefined);
  }

  function clear(): void {
    save(null);
  }

  // Keep tabs in step: a login, refresh or logout in one tab applies to all.
  if (typeof window !== 'undefined') {
    window.addEventListener('storage', (event) => {
      if (event.key === STORAGE_KEY) session.value = loadSession();
    });
  }

  return {
    user,
    isLoggedIn,
    role,
    isSeller,
    accessToken,
    login,
    register,
    refresh,
    logout,
    clear,
  };
});
