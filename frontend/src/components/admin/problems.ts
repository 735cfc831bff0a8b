import { adminCodeOf, type AdminCode } from '../../api/admin.ts';
import { i18n } from '../../i18n/index.ts';

/** The admin screens' own wording for the refusals they expect (the server's is English only). */
const MESSAGES: Readonly<Record<AdminCode, string>> = {
  'cannot-change-self': 'admin.problems.cannotChangeSelf',
  'user-not-found': 'admin.problems.userNotFound',
  'category-not-found': 'admin.problems.categoryNotFound',
  'category-not-empty': 'admin.problems.categoryNotEmpty',
  'category-cycle': 'admin.problems.categoryCycle',
  'duplicate-slug': 'admin.problems.duplicateSlug',
  'unknown-parent': 'admin.problems.unknownParent',
};

/** Our sentence for a refusal we expect; undefined for any other failure. */
export function adminMessage(error: unknown): string | undefined {
  const code = adminCodeOf(error);
  return code ? i18n.global.t(MESSAGES[code]) : undefined;
}

/**
 * What ErrorBanner shows for a failed admin call: our sentence for a refusal we expect, else the
 * error itself (so the banner keeps the server's words and the request id of a failure).
 */
export function adminError(error: unknown): unknown {
  return adminMessage(error) ?? error;
}
