import { createMemoryHistory, createRouter, type Router } from 'vue-router';
import { routes } from '../router/index.ts';

/** The app's routes in memory: links resolve as in the app, pages load only when visited. */
export async function testRouter(path = '/'): Promise<Router> {
  const router = createRouter({ history: createMemoryHistory(), routes });
  await router.push(path);
  return router;
}
