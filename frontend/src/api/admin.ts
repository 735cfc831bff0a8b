import type { CategoryTree } from '@marketplace/contracts';
import { ApiError, request } from './client.ts';

/**
 * The category tree as it is now. The public answer may be kept by the browser for a minute (and
 * served stale for five more), which would hide an admin's own change just made: `no-cache`
 * makes the browser ask product-service every time.
 */
export const getCategoryTreeFresh = () =>
  request<CategoryTree>('GET', '/api/categories', {
    headers: { 'cache-control': 'no-cache' },
    auth: false,
  });

/**
 * The problem codes the admin screens translate. Each comes from a service's catalogue
 * (user-service and product-service `src/domain/errors.ts`; admin.test.ts checks that it still
 * does). They belong in problemCodes.ts's SERVER_CODES, kept apart here only while that file is
 * someone else's to change.
 */
export const ADMIN_CODES = [
  'cannot-change-self',
  'user-not-found',
  'category-not-found',
  'category-not-empty',
  'category-cycle',
  'duplicate-slug',
  'unknown-parent',
] as const;

export type AdminCode = (typeof ADMIN_CODES)[number];

/** The admin code of a failed call, when it has one of ours. */
export function adminCodeOf(error: unknown): AdminCode | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return ADMIN_CODES.find((code) => code === error.code);
}
