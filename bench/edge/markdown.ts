/** A Markdown table; columns after the first are right-aligned unless `left` names them. */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  left: readonly number[] = [0],
): string {
  const align = headers.map((_, i) => (left.includes(i) ? '---' : '---:'));
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(align), ...rows.map(line)].join('\n');
}

export const fixed = (value: number, digits = 1): string =>
  Number.isFinite(value) ? value.toFixed(digits) : '–';

export const rps = (value: number): string => (Number.isFinite(value) ? value.toFixed(0) : '–');

export const mib = (bytes: number): string => (bytes > 0 ? (bytes / 2 ** 20).toFixed(1) : '–');

export const met = (ok: boolean): string => (ok ? 'met' : '**not met**');
