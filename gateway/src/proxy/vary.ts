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
 * One Vary from the gateway's own (CORS varies by Origin) and the upstream's, each field named
 * once (compared case-insensitively), `*` alone if either has it. Undefined when both are empty.
 */
export function mergeVary(own: HeaderValue, upstream: HeaderValue): string | undefined {
  const all = [...names(own), ...names(upstream)];
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
