import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { AuthSession, LoginBody, RegisterBody, Role, User } from '@marketplace/contracts';
import * as api from '../api/client.ts';

/**
 * What this tab holds of a session, in memory only: the refresh token is in an HttpOnly cookie
 * no script can read, and the access token never reaches localStorage or sessionStorage.
 */
type Session = Pick<AuthSession, 'user' | 'accessToken'>;

/** A refresh answered with one of these: the session is over, trying again will not help. */
const SESSION_OVER = [
  'invalid-refresh-token',
  'refresh-token-reused',
  'account-blocked',
  'validation-error',
  'csrf-refused',
] as const;

/**
 * Not a secret: whether this browser was signed in (and as whom, for nothing but display), so
 * a page load asks for a session only when there may be one.
 */
const SIGNED_IN_KEY = 'marketplace.signedIn';
/** Where earlier versions kept the tokens themselves; removed on sight. */
const LEGACY_KEY = 'marketplace.session';
const LOCK = 'marketplace.refresh';
/** When the refresh now in flight started; a page that goes away mid-refresh leaves it behind. */
const IN_FLIGHT_KEY = 'marketplace.refreshStarted';
/** How long a refresh of a page that has gone may still take to land its new cookie. */
const ABANDONED_REFRESH_MS = 2_000;
const CHANNEL = 'marketplace.auth';

type TabMessage = { type: 'login' } | { type: 'logout' };

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/**
 * The refresh cookie is single-use and presenting a spent one revokes the whole session, so only
 * one refresh may be in flight across all tabs: a Web Lock where available.
 */
async function withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
  if (typeof navigator !== 'undefined' && 'locks' in navigator) {
    return navigator.locks.request(LOCK, work);
  }
  return work();
}

/**
 * A page reloaded during a refresh has spent the cookie it sent; its request (keepalive) still
 * lands the new cookie, but only once answered. Refreshing before that would present the spent
 * cookie and revoke the session, so the next refresh waits for it (this runs under the lock,
 * so a marker left here belongs to a page that is gone).
 */
async function settleAbandonedRefresh(store: Storage | null): Promise<void> {
  const started = Number(store?.getItem(IN_FLIGHT_KEY) ?? 0);
  const wait = started + ABANDONED_REFRESH_MS - Date.now();
  if (wait > 0 && wait <= ABANDONED_REFRESH_MS) {
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

export const useAuthStore = defineStore('auth', () => {
  const session = ref<Session | null>(null);
  /** The server ended the last session (not the person): the login page says so. */
  const endedByServer = ref(false);
  let refreshing: Promise<boolean> | null = null;
  const remoteLogoutHandlers: (() => void)[] = [];
  const sessionEndedHandlers: ((code: string) => void)[] = [];
  const channel = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel(CHANNEL);

  const user = computed(() => session.value?.user ?? null);
  const isLoggedIn = computed(() => session.value !== null);
  const role = computed<Role | null>(() => session.value?.user.role ?? null);
  const isSeller = computed(() => role.value === 'seller' || role.value === 'admin');
  const accessToken = computed(() => session.value?.accessToken ?? null);

  function save(next: Session | null): void {
    session.value = next;
    const store = storage();
    if (next) store?.setItem(SIGNED_IN_KEY, JSON.stringify({ name: next.user.name }));
    else store?.removeItem(SIGNED_IN_KEY);
  }

  function tell(message: TabMessage): void {
    channel?.postMessage(message);
  }

  function start(next: AuthSession): void {
    endedByServer.value = false;
    save({ user: next.user, accessToken: next.accessToken });
  }

  async function login(body: LoginBody): Promise<void> {
    start(await api.login(body));
    tell({ type: 'login' });
  }

  async function register(body: RegisterBody): Promise<void> {
    start(await api.register(body));
    tell({ type: 'login' });
  }

  async function renew(): Promise<boolean> {
    const store = storage();
    await settleAbandonedRefresh(store);
    const mark = String(Date.now());
    store?.setItem(IN_FLIGHT_KEY, mark);
    // Without an answer (the page unloading, the network gone) the request may still have spent
    // the cookie: the marker stays, so the next refresh waits for its new cookie to land.
    let answered = true;
    try {
      start(await api.refreshTokens());
      return true;
    } catch (error) {
      answered = !api.hasCode(error, 'network-error');
      // Only a definitive refusal ends the session; a network blip or a rate limit keeps it.
      if (api.hasCode(error, ...SESSION_OVER)) {
        // A session this tab held, or one a reloaded page was restoring, has ended.
        const had = session.value !== null || Boolean(store?.getItem(SIGNED_IN_KEY));
        save(null);
        if (had) {
          endedByServer.value = true;
          for (const handler of sessionEndedHandlers) handler(error.code);
        }
      }
      return false;
    } finally {
      if (answered && store?.getItem(IN_FLIGHT_KEY) === mark) store.removeItem(IN_FLIGHT_KEY);
    }
  }

  /** A new access token from the refresh cookie; false when there is no session (any more). */
  function refresh(): Promise<boolean> {
    refreshing ??= withRefreshLock(renew).finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  async function logout(): Promise<void> {
    save(null);
    await api.logout().catch(() => undefined);
    tell({ type: 'logout' });
  }

  function clear(): void {
    save(null);
  }

  /** The profile as the server now has it (after an edit): the session itself stays. */
  function setUser(next: User): void {
    if (session.value && session.value.user.id === next.id) save({ ...session.value, user: next });
  }

  /** A new session of this browser's (a password change): the other sessions have ended. */
  function replace(next: AuthSession): void {
    start(next);
  }

  /** Every session of this user ends, on every device; this tab and the others sign out. */
  async function logoutEverywhere(): Promise<void> {
    await api.logoutEverywhere();
    save(null);
    await api.logout().catch(() => undefined);
    tell({ type: 'logout' });
  }

  /**
   * Called when the server ended this session (the account blocked, the session revoked
   * elsewhere), so the page can send the person to log in again.
   */
  function onSessionEnded(handler: (code: string) => void): void {
    sessionEndedHandlers.push(handler);
  }

  /** Called when another tab signed out, so the page can leave what needs a session. */
  function onRemoteLogout(handler: () => void): void {
    remoteLogoutHandlers.push(handler);
  }

  // A page load restores the session from the cookie, if this browser had one.
  storage()?.removeItem(LEGACY_KEY);
  const ready: Promise<void> = (
    storage()?.getItem(SIGNED_IN_KEY) ? refresh() : Promise.resolve(false)
  ).then(() => undefined);

  // Tabs share the cookie, not the access token: each takes its own after a login elsewhere.
  channel?.addEventListener('message', (event: MessageEvent<TabMessage>) => {
    if (event.data.type === 'login') void refresh();
    if (event.data.type === 'logout' && session.value) {
      save(null);
      for (const handler of remoteLogoutHandlers) handler();
    }
  });

  return {
    user,
    isLoggedIn,
    role,
    isSeller,
    accessToken,
    endedByServer,
    ready,
    login,
    register,
    refresh,
    logout,
    clear,
    setUser,
    replace,
    logoutEverywhere,
    onRemoteLogout,
    onSessionEnded,
  };
});
