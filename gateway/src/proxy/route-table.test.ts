import { describe, expect, it } from 'vitest';
import { isUnsafePath, isPublic, ROUTE_TABLE, routeTimeouts } from './route-table.ts';

describe('route table', () => {
  it.each([
    ['POST', '/api/auth/login'],
    ['POST', '/api/auth/register'],
    ['POST', '/api/auth/refresh'],
    ['POST', '/api/auth/logout'],
    ['GET', '/api/auth/jwks'],
    ['GET', '/api/products'],
    ['GET', '/api/products/abc'],
    ['HEAD', '/api/categories'],
    ['GET', '/api/sellers/abc'],
  ])('when %s %s, then no token is needed', (method, path) => {
    expect(isPublic(method, path)).toBe(true);
  });

  it.each([
    ['GET', '/api/auth/login'],
    ['POST', '/api/products'],
    ['PATCH', '/api/products/abc'],
    ['GET', '/api/productsx'],
    ['GET', '/api/%70roducts'],
    ['GET', '/api/users/me'],
    ['GET', '/api/orders'],
    ['POST', '/api/auth/login/x'],
  ])('when %s %s, then a token is needed', (method, path) => {
    expect(isPublic(method, path)).toBe(false);
  });

  it.each([
    '/api/products/../orders',
    '/api/products/%2e%2E/x',
    '/api/./x',
    '/api/a%2fb',
    '/a/%zz',
  ])('when the path is %s, then it is refused', (path) => {
    expect(isUnsafePath(path)).toBe(true);
  });

  it('when the path is ordinary, then it is allowed', () => {
    expect(isUnsafePath('/api/products/3f2a.json')).toBe(false);
  });

  const route = (prefix: string) => ROUTE_TABLE.find((r) => r.prefix === prefix)!;

  it.each([
    ['/api/products', 5_000, 5_000],
    ['/api/orders', 5_000, 10_000],
    ['/api/auth', 5_000, 10_000],
    ['/api/notifications', 5_000, 5_000],
  ])('when %s is asked, then reads wait %i ms and writes %i ms', (prefix, read, write) => {
    expect(routeTimeouts(route(prefix), 30_000)).toEqual({ read, write });
  });

  it('when UPSTREAM_TIMEOUT_MS is lower than a route timeout, then it caps it', () => {
    expect(routeTimeouts(route('/api/orders'), 7_000)).toEqual({ read: 5_000, write: 7_000 });
  });

  it('when every route is listed, then none waits 15 s or more', () => {
    for (const entry of ROUTE_TABLE) {
      const { read, write } = routeTimeouts(entry, Number.MAX_SAFE_INTEGER);
      expect(Math.max(read, write)).toBeLessThan(15_000);
    }
  });
});
