/** The services behind the gateway. */
export type ServiceName = 'user' | 'product' | 'order' | 'notification';

export const SERVICES: readonly ServiceName[] = ['user', 'product', 'order', 'notification'];

/** How long a service may take to send an answer's headers, and to go quiet mid-body, in ms. */
export interface RouteTimeouts {
  /** GET, HEAD and OPTIONS. */
  read: number;
  /** Every other method. */
  write: number;
}

/**
 * Well under design.md's 15 s: a listing or a page that has not answered in 5 s is better told
 * as a 504 than waited for. A route whose work is slow by nature says so in the table.
 */
export const DEFAULT_TIMEOUTS: RouteTimeouts = { read: 5_000, write: 5_000 };

export interface UpstreamRoute {
  /** Matches this path and everything below it; forwarded unchanged (services serve `/api/...`). */
  prefix: string;
  service: ServiceName;
  /** Overrides of {@link DEFAULT_TIMEOUTS}; UPSTREAM_TIMEOUT_MS caps every one. */
  timeouts?: Partial<RouteTimeouts>;
}

/** Which service answers which part of the public API; anything else under /api is a 404. */
export const ROUTE_TABLE: readonly UpstreamRoute[] = [
  // Login, register and password changes wait for a password hash (user-service queues them).
  { prefix: '/api/auth', service: 'user', timeouts: { write: 10_000 } },
  { prefix: '/api/users', service: 'user', timeouts: { write: 10_000 } },
  { prefix: '/api/products', service: 'product' },
  { prefix: '/api/categories', service: 'product' },
  { prefix: '/api/sellers', service: 'product' },
  // Checkout reserves stock at product-service for every seller in one go.
  { prefix: '/api/orders', service: 'order', timeouts: { write: 10_000 } },
  // A seller's own products, archived ones too (read from its database): more specific than
  // `/api/seller`, so it wins there (static routes go before wildcards).
  { prefix: '/api/seller/products', service: 'product' },
  { prefix: '/api/seller', service: 'order' },
  { prefix: '/api/notifications', service: 'notification' },
  // Parked events are kept by notification-service, the exchange's collector of unrouted ones.
  { prefix: '/api/admin/dead-letters', service: 'notification' },
];

/** A route's timeouts, each capped by `capMs` (UPSTREAM_TIMEOUT_MS). */
export function routeTimeouts(route: UpstreamRoute, capMs: number): RouteTimeouts {
  return {
    read: Math.min(route.timeouts?.read ?? DEFAULT_TIMEOUTS.read, capMs),
    write: Math.min(route.timeouts?.write ?? DEFAULT_TIMEOUTS.write, capMs),
  };
}

/** The methods that read (safe, RFC 9110 9.2.1): timed as reads, and the only ones retried. */
export function isReadMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS';
}

/** Server-Sent Events: streamed unbuffered, with no body timeout, and a token allowed in the query. */
export const STREAM_PATH = '/api/notifications/stream';
/** How long the stream's service may take to send the stream's headers; none after them. */
export const STREAM_HEADERS_TIMEOUT_MS = 5_000;

const PUBLIC_AUTH = /^\/api\/auth\/(register|login|refresh|logout)$/;
const PUBLIC_CATALOG = /^\/api\/(products|categories|sellers)(\/|$)/;

/**
 * Whether a request may pass without an access token. `path` is the raw (still percent-encoded)
 * path, so an oddly encoded path is simply not public: the check fails closed.
 */
export function isPublic(method: string, path: string): boolean {
  const read = method === 'GET' || method === 'HEAD';
  if (method === 'POST' && PUBLIC_AUTH.test(path)) return true;
  if (read && path === '/api/auth/jwks') return true;
  return read && PUBLIC_CATALOG.test(path);
}

/** True for a path with a `.` or `..` segment or an encoded slash, which no route has. */
export function isUnsafePath(path: string): boolean {
  // The common case: nothing encoded, no segment starting with a dot.
  if (!path.includes('%') && !path.includes('/.') && !path.includes('\\')) return false;
  return path.split('/').some((segment) => {
    let decoded = segment;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return true;
    }
    return decoded === '.' || decoded === '..' || decoded.includes('/') || decoded.includes('\\');
  });
}

/** The path of a request URL, without its query string. */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
