import { ApiError, hasCode } from '../api/client.ts';
import { i18n } from '../i18n/index.ts';

/** One human sentence for any failure: the server's own words where it gave some. */
export function errorMessage(error: unknown): string {
  const { t } = i18n.global;
  if (!(error instanceof ApiError)) return t('common.genericError');
  if (error.isNetwork) return t('common.networkError');
  // Throttled, or user-service's password hashing is full (503 busy): both say when to retry.
  if (hasCode(error, 'rate-limited', 'too-many-attempts', 'busy') && error.retryAfterSeconds) {
    return t('common.retryAfter', { seconds: error.retryAfterSeconds });
  }
  // A server-side failure's wording helps nobody here; its request id is shown beside it.
  if (error.status >= 500) return t('common.genericError');
  return error.detail ?? error.title;
}

export function fieldErrorsOf(error: unknown): Record<string, string> {
  return error instanceof ApiError ? error.fieldErrors : {};
}

export function requestIdOf(error: unknown): string | undefined {
  return error instanceof ApiError ? error.requestId : undefined;
}
