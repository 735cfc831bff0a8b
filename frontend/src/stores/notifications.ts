import type { Notification } from '@marketplace/contracts';
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import * as api from '../api/client.ts';
import { expiresWithin } from '../utils/jwt.ts';
import { useAuthStore } from './auth.ts';

const POLL_MS = 15_000;
const RECONNECT_MIN_MS = 2_000;
const RECONNECT_MAX_MS = 60_000;

/**
 * The unread count and the newest notifications, kept live: Server-Sent Events while the stream
 * is up (reconnecting with back-off), polling every 15 s while it is not.
 */
export const useNotificationsStore = defineStore('notifications', () => {
  const auth = useAuthStore();
  const unreadCount = ref(0);
  const live = ref(false);
  /** Notifications that arrived over the stream since the list was last loaded. */
  const arrived = ref<Notification[]>([]);

  let source: EventSource | null = null;
  let pollTimer: ReturnType<typeof setInterval> | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let reconnectDelay = RECONNECT_MIN_MS;
  let running = false;

  async function refreshCount(): Promise<void> {
    if (!auth.isLoggedIn) return;
    try {
      unreadCount.value = (await api.getUnreadCount()).count;
    } catch {
      // The badge is a convenience: keep the last count until the next poll.
    }
  }

  function startPolling(): void {
    pollTimer ??= setInterval(() => void refreshCount(), POLL_MS);
  }

  function stopPolling(): void {
    if (pollTimer) clearInterval(pollTimer);
    pollTimer = null;
  }

  function onMessage(event: MessageEvent<string>): void {
    try {
      const notification = JSON.parse(event.data) as Notification;
      if (!notification.id) return;
      if (arrived.value.some((n) => n.id === notification.id)) return;
      arrived.value = [notification, ...arrived.value];
      if (!notification.readAt) unreadCount.value += 1;
    } catch {
      // Comments and keep-alives are not notifications.
    }
  }

  function scheduleReconnect(): void {
    if (!running || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      void connect();
    }, reconnectDelay);
    reconnectDelay = Math.min(reconnectDelay * 2, RECONNECT_MAX_MS);
  }

  async function connect(): Promise<void> {
    const token = auth.accessToken;
    if (!running || !token) return;
    // The stream authenticates once, by URL: renew a token about to expire before connecting.
    if (expiresWithin(token, 30) && !(await auth.refresh())) return;
    const current = auth.accessToken;
    if (!running || !current) return;
    const es = new EventSource(api.notificationStreamUrl(current));
    source = es;
    es.onopen = () => {
      live.value = true;
      reconnectDelay = RECONNECT_MIN_MS;
      stopPolling();
      void refreshCount();
    };
    es.onmessage = onMessage;
    es.addEventListener('notification', onMessage);
    es.onerror = () => {
      // EventSource would retry with the same (possibly expired) token: take over instead.
      const wasOpen = live.value;
      es.close();
      if (source === es) source = null;
      live.value = false;
      startPolling();
      // A stream the server ended may mean the session is over (the account was blocked): a
      // refresh finds out at once rather than when the access token expires.
      if (wasOpen) {
        void auth.refresh().then((ok) => {
          if (ok || auth.isLoggedIn) scheduleReconnect();
        });
      } else {
        scheduleReconnect();
      }
    };
  }

  function start(): void {
    if (running) return;
    running = true;
    void refreshCount();
    startPolling();
    if (typeof EventSource !== 'undefined') void connect();
  }

  function stop(): void {
    running = false;
    source?.close();
    source = null;
    live.value = false;
    stopPolling();
    if (reconnectTimer) clearTimeout(reconnectTimer);
    reconnectTimer = null;
    reconnectDelay = RECONNECT_MIN_MS;
    unreadCount.value = 0;
    arrived.value = [];
  }

  function markedRead(count = 1): void {
    unreadCount.value = Math.max(0, unreadCount.value - count);
  }

  function markedAllRead(): void {
    unreadCount.value = 0;
  }

  function takeArrived(): Notification[] {
    const items = arrived.value;
    arrived.value = [];
    return items;
  }

  // Follow the session: start on login, stop on logout, reconnect when the user changes.
  watch(
    () => auth.user?.id ?? null,
    (id, previous) => {
      if (id !== previous) stop();
      if (id) start();
    },
    { immediate: true },
  );

  return {
    unreadCount,
    live,
    arrived,
    refreshCount,
    markedRead,
    markedAllRead,
    takeArrived,
  };
});
