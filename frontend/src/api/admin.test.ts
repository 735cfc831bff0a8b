import { describe, expect, it } from 'vitest';
import { ADMIN_CODES } from './admin.ts';

// The catalogues' sources, as text (Vite reads them; the SPA's types have no node:fs).
const catalogues = Object.values(
  import.meta.glob<string>(
    ['../../../user-service/src/domain/errors.ts', '../../../product-service/src/domain/errors.ts'],
    { query: '?raw', import: 'default', eager: true },
  ),
);

describe('the admin screens’ problem codes', () => {
  it('when the admin screens translate a code, then a service’s catalogue makes it', () => {
    expect(catalogues).toHaveLength(2);
    const unknown = ADMIN_CODES.filter(
      (code) => !catalogues.some((catalogue) => catalogue.includes(`'${code}'`)),
    );
    expect(unknown).toEqual([]);
  });
});
