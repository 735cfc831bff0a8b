import { describe, expect, it } from 'vitest';
import { mergeVary } from './vary.ts';

describe('mergeVary', () => {
  it.each([
    ['Origin', 'Accept-Language', 'Origin, Accept-Language'],
    ['Origin', 'origin, Accept-Encoding', 'Origin, Accept-Encoding'],
    ['Origin', undefined, 'Origin'],
    [undefined, 'Accept-Encoding', 'Accept-Encoding'],
    ['Origin', '*', '*'],
    [
      ['Origin', 'Access-Control-Request-Headers'],
      'Accept',
      'Origin, Access-Control-Request-Headers, Accept',
    ],
    [undefined, undefined, undefined],
    ['', ' , ', undefined],
  ])(
    'when the gateway varies by %j and the upstream by %j, then Vary is %j',
    (own, upstream, expected) => {
      expect(mergeVary(own, upstream)).toBe(expected);
    },
  );

  it('when the gateway adds Accept-Encoding to both, then each field is named once', () => {
    expect(mergeVary('Origin', 'accept-encoding, Accept-Language', 'Accept-Encoding')).toBe(
      'Origin, accept-encoding, Accept-Language',
    );
  });
});
