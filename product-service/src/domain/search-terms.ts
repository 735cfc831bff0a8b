const WORD = /[\p{L}\p{N}]+/gu;
const MAX_TERMS = 10;

/**
 * The words of a search box entry, lowercased: letters and digits only, so no operator of any
 * search syntax can slip through.
 */
export function searchTerms(q: string | undefined): string[] {
  if (!q) return [];
  return (q.toLowerCase().match(WORD) ?? []).slice(0, MAX_TERMS);
}
