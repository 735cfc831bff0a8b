/** The services behind the gateway. */
export type ServiceName = 'user' | 'product' | 'order' | 'notification';

export interface UpstreamRoute {
  /** Matches this path and everything below it; forwarded unchanged (services serve `/api/...`). */
  prefix: string;
  service: ServiceName;
}

/** Which service answers which part of the public API; anything else under /api is a 404. */
export const ROUTE_TABLE: readonly UpstreamRoute[] = [
  { prefix: '/api/auth', service: 'user' },
  { prefix: '/api/users', service: 'user' },
  { prefix: '/api/products', service: 'product' },
  { prefix: '/api/categories', service: 'product' },
  { prefix: '/api/sellers', service: 'product' },
  { prefix: '/api/orders', service: 'order' },
  // A seller's own products, archived ones too (read from its database): more specific than
  // `/api/seller`, so it wins there (static routes go before wildcards).
  { prefix: '/api/seller/products', service: 'product' },
  { prefix: '/api/seller', service: 'order' },
  { prefix: '/api/notifications', service: 'notification' },
  // Parked events are kept by notification-service, the exchange's collector of unrouted ones.
  { prefix: '/api/admin/dead-letters', service: 'notification' },
];

/** Server-Sent Events: streamed unbuffered, with no body timeout, and a token allowed in the query. */
export const STREAM_PATH = '/api/notifications/stream';

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
