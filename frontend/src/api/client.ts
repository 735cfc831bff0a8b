import { newId } from '../utils/id.ts';
import type {
  AppNotification,
  AuthResult,
  Category,
  CheckoutInput,
  CheckoutResult,
  LoginInput,
  Order,
  OrderHistoryEntry,
  OrderStatus,
  Page,
  Problem,
  Product,
  ProductFilters,
  RegisterInput,
  TokenPair,
  User,
} from './types.ts';

/** Every failed call: the server's problem details, or a synthetic one for network failures. */
export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
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
    this.type = problem.type;
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
    return this.status === 0;
  }
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

type Query = Record<string, string | number | boolean | undefined>;

interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  /** Send the access token and renew it once on 401. Off for the auth endpoints themselves. */
  auth?: boolean;
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
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
  } catch {
    throw new ApiError({ type: 'network', title: 'Network error', status: 0 });
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
  if (body && typeof body === 'object' && 'title' in body) {
    const problem = body as Partial<Problem>;
    return new ApiError(
      {
        type: problem.type ?? 'about:blank',
        title: problem.title ?? response.statusText,
        status: problem.status ?? response.status,
        ...(problem.detail !== undefined ? { detail: problem.detail } : {}),
        ...(problem.requestId !== undefined ? { requestId: problem.requestId } : {}),
        ...(Array.isArray(problem.errors) ? { errors: problem.errors } : {}),
      },
      retry,
    );
  }
  return new ApiError(
    { type: 'about:blank', title: response.statusText || 'Error', status: response.status },
    retry,
  );
}

async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const url = buildUrl(path, options.query);
  const sentToken = options.auth !== false && Boolean(authHooks?.accessToken());
  let response = await send(method, url, options);
  if (response.status === 401 && sentToken && authHooks) {
    if (await authHooks.refresh()) {
      response = await send(method, url, options);
      if (response.status === 401) authHooks.onSessionExpired();
    } else if (!authHooks.accessToken()) {
      // The refresh token was refused too; a network failure alone keeps the session.
      authHooks.onSessionExpired();
    }
  }
  const body = await readBody(response);
  if (!response.ok) throw toApiError(response, body);
  return body as T;
}

// Identity

export const register = (input: RegisterInput) =>
  request<AuthResult>('POST', '/api/auth/register', { body: input, auth: false });

export const login = (input: LoginInput) =>
  request<AuthResult>('POST', '/api/auth/login', { body: input, auth: false });

export const refreshTokens = (refreshToken: string) =>
  request<TokenPair>('POST', '/api/auth/refresh', { body: { refreshToken }, auth: false });

export const logout = (refreshToken: string) =>
  request<undefined>('POST', '/api/auth/logout', { body: { refreshToken }, auth: false });

export const getMe = () => request<User>('GET', '/api/users/me');

// Catalog

export const listProducts = (filters: ProductFilters, cursor?: string, limit = 24) =>
  request<Page<Product>>('GET', '/api/products', {
    query: { ...filters, inStock: filters.inStock ? true : undefined, cursor, limit },
    auth: false,
  });

export const getProduct = (id: string) =>
  request<Product>('GET', `/api/products/${encodeURIComponent(id)}`, { auth: false });

export const listCategories = () => request<Category[]>('GET', '/api/categories', { auth: false });

// Orders

export const createOrder = (input: CheckoutInput, idempotencyKey: string) =>
  request<CheckoutResult>('POST', '/api/orders', {
    body: input,
    headers: { 'idempotency-key': idempotencyKey },
  });

export const listOrders = (cursor?: string) =>
  request<Page<Order>>('GET', '/api/orders', { query: { cursor } });

export const listSellerOrders = (status: OrderStatus | undefined, cursor?: string) =>
  request<Page<Order>>('GET', '/api/seller/orders', { query: { status, cursor } });

export const getOrder = (id: string) =>
  request<Order>('GET', `/api/orders/${encodeURIComponent(id)}`);

export const getOrderHistory = async (id: string): Promise<OrderHistoryEntry[]> =>
  (
    await request<{ items: OrderHistoryEntry[] }>(
      'GET',
      `/api/orders/${encodeURIComponent(id)}/history`,
    )
  ).items;

export const changeOrderStatus = (id: string, status: OrderStatus, note?: string) =>
  request<Order>('POST', `/api/orders/${encodeURIComponent(id)}/status`, {
    body: note ? { status, note } : { status },
  });

// Notifications

export const listNotifications = (options: { unread?: boolean; cursor?: string; limit?: number }) =>
  request<Page<AppNotification>>('GET', '/api/notifications', {
    query: {
      unread: options.unread ? true : undefined,
      cursor: options.cursor,
      limit: options.limit,
    },
  });

export const markNotificationRead = (id: string) =>
  request<unknown>('POST', `/api/notifications/${encodeURIComponent(id)}/read`);

export const markAllNotificationsRead = () =>
  request<unknown>('POST', '/api/notifications/read-all');

/** EventSource cannot send headers, so the gateway accepts the token as a query parameter. */
export const notificationStreamUrl = (accessToken: string) =>
  buildUrl('/api/notifications/stream', { access_token: accessToken });
