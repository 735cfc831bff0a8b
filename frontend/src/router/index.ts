import type { Role } from '@marketplace/contracts';
import {
  createRouter,
  createWebHistory,
  type RouteLocationNormalized,
  type RouteRecordRaw,
} from 'vue-router';
import { i18n } from '../i18n/index.ts';
import { useAuthStore } from '../stores/auth.ts';

declare module 'vue-router' {
  interface RouteMeta {
    /** i18n key of the page title. */
    title?: string;
    requiresAuth?: boolean;
    roles?: Role[];
    /** Pages for signed-out people only (login, register). */
    guestOnly?: boolean;
  }
}

const PRODUCT_PATH = '/products/:id';

/** A product page's address, for links that do without a RouterLink (a catalog's cards). */
export function productPath(id: string): string {
  return PRODUCT_PATH.replace(':id', encodeURIComponent(id));
}

/** Every page; views load on first visit (a chunk each), so the first load carries the shell only. */
export const routes: RouteRecordRaw[] = [
  {
    path: '/',
    name: 'catalog',
    component: () => import('../views/CatalogView.vue'),
    meta: { title: 'catalog.title' },
  },
  {
    path: PRODUCT_PATH,
    name: 'product',
    component: () => import('../views/ProductView.vue'),
    props: true,
  },
  {
    path: '/login',
    name: 'login',
    component: () => import('../views/LoginView.vue'),
    meta: { title: 'auth.loginTitle', guestOnly: true },
  },
  {
    path: '/register',
    name: 'register',
    component: () => import('../views/RegisterView.vue'),
    meta: { title: 'auth.registerTitle', guestOnly: true },
  },
  {
    path: '/orders',
    name: 'orders',
    component: () => import('../views/OrdersView.vue'),
    meta: { title: 'orders.title', requiresAuth: true },
  },
  {
    path: '/orders/:id',
    name: 'order',
    component: () => import('../views/OrderView.vue'),
    props: true,
    meta: { title: 'orders.order', requiresAuth: true },
  },
  {
    path: '/notifications',
    name: 'notifications',
    component: () => import('../views/NotificationsView.vue'),
    meta: { title: 'notifications.title', requiresAuth: true },
  },
  {
    path: '/sellers/:id',
    name: 'seller-page',
    component: () => import('../views/SellerPageView.vue'),
    props: true,
  },
  {
    path: '/cart',
    name: 'cart',
    component: () => import('../views/CartView.vue'),
    meta: { title: 'cart.title' },
  },
  {
    path: '/checkout',
    name: 'checkout',
    component: () => import('../views/CheckoutView.vue'),
    meta: { title: 'checkout.title', requiresAuth: true },
  },
  {
    path: '/account',
    name: 'account',
    component: () => import('../views/AccountView.vue'),
    meta: { title: 'account.title', requiresAuth: true },
  },
  {
    path: '/seller',
    name: 'seller-dashboard',
    component: () => import('../views/seller/SellerDashboardView.vue'),
    meta: { title: 'seller.dashboardTitle', requiresAuth: true, roles: ['seller', 'admin'] },
  },
  {
    path: '/seller/products',
    name: 'seller-products',
    component: () => import('../views/seller/SellerProductsView.vue'),
    meta: { title: 'seller.productsTitle', requiresAuth: true, roles: ['seller', 'admin'] },
  },
  {
    path: '/seller/products/new',
    name: 'seller-product-new',
    component: () => import('../views/seller/SellerProductEditView.vue'),
    meta: { title: 'seller.newProductTitle', requiresAuth: true, roles: ['seller', 'admin'] },
  },
  {
    path: '/seller/products/:id',
    name: 'seller-product-edit',
    component: () => import('../views/seller/SellerProductEditView.vue'),
    props: true,
    meta: { title: 'seller.editProductTitle', requiresAuth: true, roles: ['seller', 'admin'] },
  },
  {
    path: '/seller/orders',
    name: 'seller-orders',
    component: () => import('../views/SellerOrdersView.vue'),
    meta: { title: 'seller.title', requiresAuth: true, roles: ['seller', 'admin'] },
  },
  {
    path: '/admin',
    redirect: { name: 'admin-users' },
  },
  {
    path: '/admin/users',
    name: 'admin-users',
    component: () => import('../views/admin/AdminUsersView.vue'),
    meta: { title: 'admin.usersTitle', requiresAuth: true, roles: ['admin'] },
  },
  {
    path: '/admin/categories',
    name: 'admin-categories',
    component: () => import('../views/admin/AdminCategoriesView.vue'),
    meta: { title: 'admin.categoriesTitle', requiresAuth: true, roles: ['admin'] },
  },
  {
    path: '/admin/dead-letters',
    name: 'admin-dead-letters',
    component: () => import('../views/admin/AdminDeadLettersView.vue'),
    meta: { title: 'admin.deadLettersTitle', requiresAuth: true, roles: ['admin'] },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('../views/NotFoundView.vue'),
    meta: { title: 'notFound.title' },
  },
];

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  routes,
  scrollBehavior(to, from, saved) {
    if (saved) return saved;
    // Filters and "load more" change only the query: keep the reader where they are.
    if (to.path === from.path) return false;
    return { top: 0 };
  },
});

/** Only same-origin paths are followed after login, never an absolute URL. */
export function safeRedirect(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) return '/';
  if (value.startsWith('/login') || value.startsWith('/register')) return '/';
  return value;
}

async function guard(to: RouteLocationNormalized) {
  const auth = useAuthStore();
  // The first navigation waits for the session a page load restores from the cookie.
  await auth.ready;
  if (to.meta.requiresAuth && !auth.isLoggedIn) {
    const expired = auth.endedByServer ? { expired: '1' } : {};
    return { name: 'login', query: { redirect: to.fullPath, ...expired } };
  }
  if (to.meta.roles && (!auth.role || !to.meta.roles.includes(auth.role))) {
    return { name: 'catalog' };
  }
  if (to.meta.guestOnly && auth.isLoggedIn) {
    return safeRedirect(to.query.redirect);
  }
  return true;
}

router.beforeEach(guard);

router.afterEach((to) => {
  const name = i18n.global.t('app.name');
  document.title = to.meta.title ? `${i18n.global.t(to.meta.title)} · ${name}` : name;
});
