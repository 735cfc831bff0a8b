import { describe, expect, it } from 'vitest';
import { booleanQuery } from './fulltext.ts';

describe('boolean full-text query', () => {
  it('when there are words, then all are required and the last is a prefix', () => {
    expect(booleanQuery(['wireless', 'head'])).toBe('+wireless +head*');
  });

  it('when a word is too short to be indexed, then it is dropped unless it is the last', () => {
    expect(booleanQuery(['wi', 'fi', 'router'])).toBe('+router*');
    expect(booleanQuery(['router', 'wi'])).toBe('+router +wi*');
  });

  it('when there are no words, then there is no query', () => {
    expect(booleanQuery([])).toBeNull();
  });
});
