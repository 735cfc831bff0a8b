import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import * as api from '../api/client.ts';
import type { AuthResult, LoginInput, RegisterInput, Role, User } from '../api/types.ts';

interface Session {
  user: User;
  accessToken: string;
  refreshToken: string;
}

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

  function start(result: AuthResult): void {
    save({ user: result.user, accessToken: result.accessToken, refreshToken: result.refreshToken });
  }

  async function login(input: LoginInput): Promise<void> {
    start(await api.login(input));
  }

  async function register(input: RegisterInput): Promise<void> {
    start(await api.register(input));
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
      const pair = await api.refreshTokens(held.refreshToken);
      save({
        user: pair.user ?? held.user,
        accessToken: pair.accessToken,
        refreshToken: pair.refreshToken,
      });
      return true;
    } catch (error) {
      // Only a definitive rejection ends the session; a network blip keeps it for a later try.
      if (error instanceof api.ApiError && error.status >= 400 && error.status < 500) save(null);
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
