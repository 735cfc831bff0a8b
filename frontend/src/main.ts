import { createApp } from 'vue';
import { createPinia } from 'pinia';
import App from './App.vue';
import { configureAuth } from './api/client.ts';
import { i18n } from './i18n/index.ts';
import { router } from './router/index.ts';
import { useAuthStore } from './stores/auth.ts';
import { warmFormatters } from './utils/format.ts';
import { nextTask } from './utils/tasks.ts';
import './styles.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);
app.use(i18n);

const auth = useAuthStore(pinia);
configureAuth({
  accessToken: () => auth.accessToken,
  refresh: () => auth.refresh(),
  onSessionExpired: () => {
    auth.clear();
    const current = router.currentRoute.value;
    if (current.meta.requiresAuth) {
      void router.push({ name: 'login', query: { redirect: current.fullPath, expired: '1' } });
    }
  },
});
// The server ended the session (blocked, revoked): to the login page, saying why, cart kept.
auth.onSessionEnded(() => {
  const current = router.currentRoute.value;
  if (current.meta.requiresAuth) {
    void router.push({ name: 'login', query: { redirect: current.fullPath, expired: '1' } });
  }
});
// Signed out in another tab: leave the pages that need a session.
auth.onRemoteLogout(() => {
  const current = router.currentRoute.value;
  if (current.meta.requiresAuth) void router.push({ name: 'catalog' });
});

app.use(router);
// The first render in a task of its own, after the modules' evaluation: two shorter tasks keep a
// phone's main thread free for input sooner than one long one.
await nextTask();
app.mount('#app');
// While the first answers are on the wire: number formatters are costly to build the first time
// (the engine loads its locale data), and would otherwise lengthen the render they arrive in.
await nextTask();
warmFormatters();
