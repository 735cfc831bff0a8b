/** A header value as Node gives it. */
type HeaderValue = string | string[] | number | undefined;

function names(value: HeaderValue): string[] {
  if (value === undefined) return [];
  const joined = Array.isArray(value) ? value.join(',') : String(value);
  return joined
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/**
 * One Vary from the gateway's own (CORS varies by Origin), the upstream's and any the gateway adds
 * to it (Accept-Encoding when it compresses), each field named once (compared
 * case-insensitively), `*` alone if any has it. Undefined when all are empty.
 */
export function mergeVary(...values: HeaderValue[]): string | undefined {
  const all = values.flatMap(names);
  if (all.includes('*')) return '*';
  const seen = new Set<string>();
  const merged = all.filter((name) => {
    const key = name.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return merged.length > 0 ? merged.join(', ') : undefined;
}
