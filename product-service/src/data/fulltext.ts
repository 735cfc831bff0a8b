/** InnoDB does not index words shorter than this (innodb_ft_min_token_size, default 3). */
const MIN_TOKEN_SIZE = 3;

/**
 * A boolean-mode AGAINST expression requiring every word, the last one as a prefix so results
 * follow the user's typing. Words too short to be indexed would match nothing when required,
 * so they are dropped, except the last, which still works as a prefix.
 * `terms` must hold letters and digits only (see searchTerms).
 */
export function booleanQuery(terms: readonly string[]): string | null {
  const last = terms.length - 1;
  const parts = terms
    .map((term, index) =>
      index === last ? `+${term}*` : term.length >= MIN_TOKEN_SIZE ? `+${term}` : '',
    )
    .filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : null;
}
