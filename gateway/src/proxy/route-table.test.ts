import { describe, expect, it } from 'vitest';
import { isUnsafePath, isPublic } from './route-table.ts';

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
});
