import { describe, expect, it } from 'vitest';
import { searchTerms } from './search-terms.ts';

describe('search terms', () => {
  it('when the query holds operators and punctuation, then only words remain', () => {
    expect(searchTerms('+Wireless -"head*phones" (café) @3 <x>')).toEqual([
      'wireless',
      'head',
      'phones',
      'café',
      '3',
      'x',
    ]);
  });

  it('when the query is empty or only symbols, then there are no terms', () => {
    expect(searchTerms(undefined)).toEqual([]);
    expect(searchTerms('  !?*  ')).toEqual([]);
  });
});
