import type {
  AdminUserPatch,
  CategoryBody,
  CategoryPatchBody,
  CategoryRecord,
  CategoryTree,
  DeadLetterListQuery,
  DeadLetterPage,
  DeadLetterView,
  CheckoutBody,
  CheckoutResult,
  HistoryEntry,
  LoginBody,
  LoginResponse,
  Notification,
  NotificationListQuery,
  NotificationPage,
  NotificationPreferences,
  NotificationPreferencesBody,
  NotificationStreamQuery,
  Order,
  OrderHistory,
  OrderPage,
  OrderStatus,
  PageQuery,
  PasswordChangeBody,
  PasswordChangeResponse,
  Problem,
  Product,
  ProductListQuery,
  ProductBody,
  ProductPage,
  ProductPatchBody,
  ProfilePatch,
  RefreshBody,
  RefreshResponse,
  RegisterBody,
  RegisterResponse,
  Seller,
  SellerOrdersQuery,
  SellerSummary,
  StatusChangeBody,
  StockAdjustmentBody,
  UnreadCount,
  User,
  UserListQuery,
  UserPage,
} from '@marketplace/contracts';
import { newId } from '../utils/id.ts';
import type { ProblemCode } from './problemCodes.ts';

/** Every failed call: the server's problem details, or a synthetic one when there was none. */
export class ApiError extends Error {
  readonly status: number;
  /** The stable code from the answering service's catalogue: what callers branch on. */
  readonly code: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly requestId: string | undefined;
  /** Field name (dotted path, e.g. `shippingAddress.city`) → message. */
  readonly fieldErrors: Record<string, string>;
  readonly retryAfterSeconds: number | undefined;

  constructor(problem: Problem, retryAfterSeconds?: number) {
    super(problem.detail ?? problem.title);
    this.name = 'ApiError';
    this.status = problem.status;
    this.code = problem.code;
    this.title = problem.title;
    this.detail = problem.detail;
    this.requestId = problem.requestId;
    this.retryAfterSeconds = retryAfterSeconds;
    this.fieldErrors = {};
    for (const e of problem.errors ?? []) {
      const field = normalizeField(e.field);
      this.fieldErrors[field] ??= e.message;
    }
  }

  get isNetwork(): boolean {
    return this.code === 'network-error';
  }
}

/** True when `error` is a failed call whose problem has one of `codes`. */
export function hasCode(error: unknown, ...codes: ProblemCode[]): error is ApiError {
  return error instanceof ApiError && (codes as readonly string[]).includes(error.code);
}

/** Body fields come as `a.b`; other parts are prefixed (`querystring.cursor`); the forms use `a.b`. */
function normalizeField(field: string): string {
  return field
    .replace(/^\/?(body|querystring|query|params|headers)[./]/, '')
    .replace(/^\//, '')
    .replace(/\//g, '.');
}

/** How the client reaches the session without importing the store (which imports the client). */
export interface AuthHooks {
  accessToken(): string | null;
  /** Renews the access token; false when the session is over. */
  refresh(): Promise<boolean>;
  /** Called when a request was rejected even after a refresh. */
  onSessionExpired(): void;
}

let authHooks: AuthHooks | null = null;

export function configureAuth(hooks: AuthHooks): void {
  authHooks = hooks;
}

/** The access token was refused (@marketplace/jwt): a refresh may cure it. */
const TOKEN_REFUSED = ['token-expired', 'invalid-token'] as const;

type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the access token and renew it once when refused. Off for the auth endpoints themselves. */
  auth?: boolean;
  /** Let the request finish after the page is gone (so a refresh's new cookie is not lost). */
  keepalive?: boolean;
}

function buildUrl(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function send(method: string, url: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = {
    accept: 'application/json, application/problem+json',
    'x-request-id': newId(),
    ...options.headers,
  };
  const token = options.auth === false ? null : (authHooks?.accessToken() ?? null);
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  try {
    return await fetch(url, {
      method,
      headers,
      ...(options.keepalive ? { keepalive: true } : {}),
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  } catch {
    throw new ApiError({
      type: 'about:blank',
      code: 'network-error',
      title: 'Network error',
      status: 0,
    });
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function toApiError(response: Response, body: unknown): ApiError {
  const retryAfter = Number(response.headers.get('retry-after'));
  const retry = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
  if (body && typeof body === 'object' && 'code' in body && typeof body.code === 'string') {
    const problem = body as Partial<Problem>;
    return new ApiError(
      {
        type: problem.type ?? 'about:blank',
        code: body.code,
        title: problem.title ?? response.statusText,
        status: problem.status ?? response.status,
        ...(problem.detail !== undefined ? { detail: problem.detail } : {}),
        ...(problem.requestId !== undefined ? { requestId: problem.requestId } : {}),
        ...(Array.isArray(problem.errors) ? { errors: problem.errors } : {}),
      },
      retry,
    );
  }
  // Not a problem of ours (a proxy's page, a body cut off): no code to go by.
  return new ApiError(
    {
      type: 'about:blank',
      code: 'unexpected-response',
      title: response.statusText || 'Error',
      status: response.status,
    },
    retry,
  );
}

async function attempt<T>(method: string, url: string, options: RequestOptions): Promise<T> {
  const response = await send(method, url, options);
  const body = await readBody(response);
  if (!response.ok) throw toApiError(response, body);
  return body as T;
}

export async function request<T>(
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<T> {
  const url = buildUrl(path, options.query);
  const sentToken = options.auth !== false && Boolean(authHooks?.accessToken());
  try {
    return await attempt<T>(method, url, options);
  } catch (error) {
    if (!sentToken || !authHooks || !hasCode(error, ...TOKEN_REFUSED)) throw error;
    if (await authHooks.refresh()) {
      try {
        return await attempt<T>(method, url, options);
      } catch (retried) {
        if (hasCode(retried, ...TOKEN_REFUSED)) authHooks.onSessionExpired();
        throw retried;
      }
    }
    // The refresh token was refused too; a network failure alone keeps the session.
    if (!authHooks.accessToken()) authHooks.onSessionExpired();
    throw error;
  }
}

// Identity

/**
 * The refresh token travels in user-service's HttpOnly cookie, never through script: this header
 * asks for it (and keeps it out of the answers), and the cookie comes back on refresh and logout.
 */
const COOKIE_SESSION = { 'x-session-transport': 'cookie' };

export const register = (body: RegisterBody) =>
  request<RegisterResponse>('POST', '/api/auth/register', {
    body,
    headers: COOKIE_SESSION,
    auth: false,
  });

export const login = (body: LoginBody) =>
  request<LoginResponse>('POST', '/api/auth/login', {
    body,
    headers: COOKIE_SESSION,
    auth: false,
  });

/** A new access token (and refresh cookie) for the refresh cookie. */
export const refreshTokens = () =>
  request<RefreshResponse>('POST', '/api/auth/refresh', {
    body: {} satisfies RefreshBody,
    headers: COOKIE_SESSION,
    auth: false,
    keepalive: true,
  });

export const logout = () =>
  request<undefined>('POST', '/api/auth/logout', {
    body: {} satisfies RefreshBody,
    headers: COOKIE_SESSION,
    auth: false,
    keepalive: true,
  });

/** Ends every session of the caller (all devices), this one included. */
export const logoutEverywhere = () => request<undefined>('POST', '/api/auth/logout-all');

export const getMe = () => request<User>('GET', '/api/users/me');

export const updateMe = (body: ProfilePatch) => request<User>('PATCH', '/api/users/me', { body });

/** The other sessions end; the answer is this browser's new session (its cookie renewed). */
export const changePassword = (body: PasswordChangeBody) =>
  request<PasswordChangeResponse>('POST', '/api/users/me/password', {
    body,
    headers: COOKIE_SESSION,
  });

// Admin: users

export const listUsers = (query: Omit<Partial<UserListQuery>, 'limit'>) =>
  request<UserPage>('GET', '/api/users', {
    query: { ...query, limit: 50 } satisfies Partial<UserListQuery>,
  });

export const updateUser = (id: string, body: AdminUserPatch) =>
  request<User>('PATCH', `/api/users/${encodeURIComponent(id)}`, { body });

// Catalog

/** The catalog's filters: the list query without its paging. */
export type ProductFilters = Omit<ProductListQuery, 'limit' | 'cursor'>;

/** `attr.<name>` filters, ANDed: the contract's pattern properties of the list query. */
export type AttributeFilters = Record<string, string>;

export const listProducts = (
  filters: ProductFilters,
  cursor?: string,
  options: { limit?: number; facets?: boolean; attributes?: AttributeFilters } = {},
) =>
  request<ProductPage>('GET', '/api/products', {
    query: {
      ...filters,
      inStock: filters.inStock ? true : undefined,
      cursor,
      limit: options.limit ?? 24,
      // Counts are for the whole query: asked for with the first page only.
      facets: options.facets && !cursor ? true : undefined,
      ...Object.fromEntries(
        Object.entries(options.attributes ?? {}).map(([name, value]) => [`attr.${name}`, value]),
      ),
    } satisfies Partial<ProductListQuery>,
    auth: false,
  });

/** The current products of a cart, for its stock and prices: one request per product. */
export const getProducts = (ids: readonly string[]) =>
  Promise.all(
    ids.map((id) =>
      getProduct(id).then(
        (product): Product | null => product,
        (error: unknown) => {
          if (hasCode(error, 'product-not-found')) return null;
          throw error;
        },
      ),
    ),
  );

export const getProduct = (id: string) =>
  request<Product>('GET', `/api/products/${encodeURIComponent(id)}`, { auth: false });

export const listCategories = () =>
  request<CategoryTree>('GET', '/api/categories', { auth: false });

export const getSeller = (id: string) =>
  request<Seller>('GET', `/api/sellers/${encodeURIComponent(id)}`, { auth: false });

// Seller: own products

/** One's own product, archived ones included (the public read shows only active ones). */
export const getOwnProduct = (id: string) =>
  request<Product>('GET', `/api/products/${encodeURIComponent(id)}`);

export const listOwnProducts = (sellerId: string, cursor?: string) =>
  request<ProductPage>('GET', '/api/products', {
    query: { sellerId, sort: 'newest', cursor, limit: 50 } satisfies Partial<ProductListQuery>,
  });

export const createProduct = (body: ProductBody) =>
  request<Product>('POST', '/api/products', { body });

/** Stock is not set here (it would need If-Match): `adjustStock` adds to it atomically. */
export const updateProduct = (id: string, body: Omit<ProductPatchBody, 'stock'>) =>
  request<Product>('PATCH', `/api/products/${encodeURIComponent(id)}`, { body });

export const adjustStock = (id: string, delta: number) =>
  request<Product>('POST', `/api/products/${encodeURIComponent(id)}/stock`, {
    body: { delta } satisfies StockAdjustmentBody,
  });

export const archiveProduct = (id: string) =>
  request<undefined>('DELETE', `/api/products/${encodeURIComponent(id)}`);

// Admin: categories

export const createCategory = (body: CategoryBody) =>
  request<CategoryRecord>('POST', '/api/categories', { body });

export const updateCategory = (id: string, body: CategoryPatchBody) =>
  request<CategoryRecord>('PATCH', `/api/categories/${encodeURIComponent(id)}`, { body });

export const deleteCategory = (id: string) =>
  request<undefined>('DELETE', `/api/categories/${encodeURIComponent(id)}`);

// Orders

export const createOrder = (body: CheckoutBody, idempotencyKey: string) =>
  request<CheckoutResult>('POST', '/api/orders', {
    body,
    headers: { 'idempotency-key': idempotencyKey },
  });

export const listOrders = (cursor?: string) =>
  request<OrderPage>('GET', '/api/orders', { query: { cursor } satisfies Partial<PageQuery> });

export const getSellerSummary = () => request<SellerSummary>('GET', '/api/seller/summary');

export const listSellerOrders = (status: OrderStatus | undefined, cursor?: string) =>
  request<OrderPage>('GET', '/api/seller/orders', {
    query: { status, cursor } satisfies Partial<SellerOrdersQuery>,
  });

export const getOrder = (id: string) =>
  request<Order>('GET', `/api/orders/${encodeURIComponent(id)}`);

export const getOrderHistory = async (id: string): Promise<HistoryEntry[]> =>
  (await request<OrderHistory>('GET', `/api/orders/${encodeURIComponent(id)}/history`)).items;

export const changeOrderStatus = (id: string, status: OrderStatus, note?: string) =>
  request<Order>('POST', `/api/orders/${encodeURIComponent(id)}/status`, {
    body: (note ? { status, note } : { status }) satisfies StatusChangeBody,
  });

// Notifications

export const listNotifications = (options: Partial<NotificationListQuery>) =>
  request<NotificationPage>('GET', '/api/notifications', {
    query: {
      unread: options.unread ? true : undefined,
      cursor: options.cursor,
      limit: options.limit,
    } satisfies Partial<NotificationListQuery>,
  });

export const getUnreadCount = () => request<UnreadCount>('GET', '/api/notifications/unread-count');

export const markNotificationRead = (id: string) =>
  request<Notification>('POST', `/api/notifications/${encodeURIComponent(id)}/read`);

export const markAllNotificationsRead = () =>
  request<undefined>('POST', '/api/notifications/read-all');

export const getNotificationPreferences = () =>
  request<NotificationPreferences>('GET', '/api/notifications/preferences');

export const updateNotificationPreferences = (body: NotificationPreferencesBody) =>
  request<NotificationPreferences>('PUT', '/api/notifications/preferences', { body });

// Admin: dead letters

export const listDeadLetters = (all: boolean, cursor?: string) =>
  request<DeadLetterPage>('GET', '/api/admin/dead-letters', {
    query: { all: all ? true : undefined, cursor } satisfies Partial<DeadLetterListQuery>,
  });

export const replayDeadLetter = (id: string) =>
  request<DeadLetterView>('POST', `/api/admin/dead-letters/${encodeURIComponent(id)}/replay`);

/** EventSource cannot send headers, so the gateway accepts the token as a query parameter. */
export const notificationStreamUrl = (accessToken: string) =>
  buildUrl('/api/notifications/stream', {
    access_token: accessToken,
  } satisfies NotificationStreamQuery);
